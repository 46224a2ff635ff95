/**
 * The connect flow as an application and a user drive it: the application mints a connect
 * token (S15), the user's browser opens the connect URL, signs in and consents at the
 * authorization server (oidc-provider's dev interactions), and lands back on the app.
 */
import { env } from 'cloudflare:test'
import { SignJWT } from 'jose'
import { expect } from 'vitest'
import { Browser, WORKER_ORIGIN } from './browser.ts'

/** Where the app wants the user back (its origin is in ALLOWED_RETURN_ORIGINS of vitest.config.ts). */
export const RETURN_URL = 'https://app.example.com/connected'

/** What the application puts in a connect token (claims of src/flow/connect-token.ts). */
export interface ConnectTokenClaims {
  tenant: string
  connectorKey: string
  connectionId?: string
  input?: Record<string, unknown>
  /** Default RETURN_URL; null: no return URL, the flow ends on Latchkey's own page. */
  returnUrl?: string | null
}

/** An HS256 connect token signed with CONNECT_TOKEN_SECRET, valid for 5 minutes. */
export async function mintConnectToken(claims: ConnectTokenClaims): Promise<string> {
  const payload: Record<string, unknown> = { connector: claims.connectorKey }
  const returnUrl = claims.returnUrl === undefined ? RETURN_URL : claims.returnUrl
  if (returnUrl !== null) payload['return_url'] = returnUrl
  if (claims.connectionId !== undefined) payload['connection_id'] = claims.connectionId
  if (claims.input !== undefined) payload['input'] = claims.input
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.tenant)
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode(env.CONNECT_TOKEN_SECRET))
}

/** The connect URL the application sends the user to. */
export async function connectUrl(claims: ConnectTokenClaims): Promise<string> {
  return `${WORKER_ORIGIN}/connect/${claims.connectorKey}?token=${await mintConnectToken(claims)}`
}

/** How a finished flow came back to the app, and the callback request that finished it. */
export interface FinishedFlow {
  /** The app's return URL as the Worker redirected to it. */
  returnedTo: URL
  /** The callback URL the authorization server sent the browser to (carries the code). */
  callbackUrl: string
  /** The Cookie header the browser sent with it (the flow's binding cookie). */
  callbackCookie: string
}

/**
 * Walks the whole flow against the e2e authorization server: connect URL, sign-in as
 * `account` (any password), consent, callback, back to the app. Fails the test if any
 * step does not land where a browser would expect it.
 */
export async function connectWithLogin(browser: Browser, issuer: string, account: string, claims: ConnectTokenClaims): Promise<FinishedFlow> {
  const loginPage = await browser.navigate(await connectUrl(claims))
  expect(loginPage.response.status, 'the browser lands on the sign-in page').toBe(200)
  expect(loginPage.url.startsWith(`${issuer}/interaction/`)).toBe(true)
  await loginPage.response.body?.cancel()

  const consentPage = await browser.navigate(loginPage.url, { form: { prompt: 'login', login: account, password: 'any password' } })
  expect(consentPage.response.status, 'the browser lands on the consent page').toBe(200)
  expect(consentPage.url.startsWith(`${issuer}/interaction/`)).toBe(true)
  await consentPage.response.body?.cancel()

  const end = await browser.navigate(consentPage.url, { form: { prompt: 'consent' } })
  expect(end.leftTo, 'the flow ends with a redirect to the app').not.toBeNull()
  const callback = browser.requests.findLast((request) => request.url.startsWith(`${WORKER_ORIGIN}/oauth/callback?`))
  if (!callback) throw new Error('the browser never reached the callback')
  return { returnedTo: new URL(end.leftTo ?? ''), callbackUrl: callback.url, callbackCookie: callback.cookieHeader }
}
