/**
 * Drives the connect flow the way an application and a browser do: the application mints a
 * connect token (S15); the browser opens the connect URL, authorizes at the upstream (the test
 * upstream approves at once; the e2e authorization server wants a sign-in and consent) and
 * comes back through Latchkey's callback. `connectThroughFlow` gives other tests a real connection.
 */
import { expect } from 'vitest'
import { Browser, LATCHKEY_ORIGIN } from './browser.ts'
import { mintConnectToken, type ConnectTokenClaims } from './connect-token.ts'
import type { UpstreamScenario } from './upstream.ts'

/** Where the app wants the user back (its origin is in ALLOWED_RETURN_ORIGINS of vitest.config.ts). */
export const RETURN_URL = 'https://app.example.com/connected'

/** What to connect. `input.scenario` defaults to the scenario's id. */
export interface FlowOptions {
  connectorKey?: string
  tenant?: string
  input?: Record<string, unknown>
  claims?: ConnectTokenClaims
}

/** The connect URL of `connectorKey` with a token freshly minted for `claims`. */
export async function connectUrlFor(connectorKey: string, claims: ConnectTokenClaims): Promise<string> {
  return `${LATCHKEY_ORIGIN}/connect/${connectorKey}?token=${await mintConnectToken(claims)}`
}

/** The connect URL for a freshly minted token. */
export async function connectUrl(scenario: UpstreamScenario, options: FlowOptions = {}): Promise<string> {
  return connectUrlFor(options.connectorKey ?? 'test-oauth', {
    sub: options.tenant ?? 'tenant-1',
    input: { scenario: scenario.id, ...options.input },
    ...options.claims,
  })
}

/** Starts a flow in `browser`; returns the authorize URL Latchkey redirected to and the state. */
export async function startFlow(browser: Browser, scenario: UpstreamScenario, options: FlowOptions = {}): Promise<{ authorizeUrl: URL; state: string }> {
  const response = await browser.get(await connectUrl(scenario, options))
  expect(response.status, await describe(response)).toBe(302)
  const authorizeUrl = new URL(response.headers.get('Location') ?? '')
  return { authorizeUrl, state: authorizeUrl.searchParams.get('state') ?? '' }
}

/** Lets the upstream authorize (it approves at once) and returns the callback URL it redirects to. */
export async function authorizeAtUpstream(browser: Browser, authorizeUrl: URL): Promise<URL> {
  const response = await browser.get(authorizeUrl)
  expect(response.status).toBe(302)
  return new URL(response.headers.get('Location') ?? '')
}

/**
 * Opens `url` (a connect URL, perhaps used before) in `browser` and lets the test upstream
 * authorize; returns the callback URL, not yet visited. The upstream is reached by a fresh
 * browser: it needs no cookies, and a browser with `env` sends everything to the Worker.
 */
export async function callbackFromUrl(browser: Browser, url: string): Promise<URL> {
  const start = await browser.get(url)
  expect(start.status, await describe(start)).toBe(302)
  return authorizeAtUpstream(new Browser(), new URL(start.headers.get('Location') ?? ''))
}

/** Starts and authorizes a flow; returns the callback URL, not yet visited. */
export async function flowUpToCallback(browser: Browser, scenario: UpstreamScenario, options: FlowOptions = {}): Promise<URL> {
  const { authorizeUrl } = await startFlow(browser, scenario, options)
  return authorizeAtUpstream(browser, authorizeUrl)
}

/**
 * Runs a whole flow with a return URL and returns the new connection id (the upstream issues
 * real tokens for `scenario`, so the connection can refresh and call its API).
 */
export async function connectThroughFlow(scenario: UpstreamScenario, options: FlowOptions = {}): Promise<{ connectionId: string; browser: Browser }> {
  const browser = new Browser()
  const callbackUrl = await flowUpToCallback(browser, scenario, {
    ...options,
    claims: { return_url: 'https://app.example.com/done', ...options.claims },
  })
  const response = await browser.get(callbackUrl)
  expect(response.status, await describe(response)).toBe(303)
  const location = new URL(response.headers.get('Location') ?? '')
  const connectionId = location.searchParams.get('connection_id')
  expect(connectionId, location.toString()).toMatch(/^conn_[a-z2-7]{26}$/)
  return { connectionId: connectionId ?? '', browser }
}

/**
 * S7: the callback's answer is a 303 whose Location carries no authorization response
 * parameter (code, state, iss). Returns the Location.
 */
export function expectCodeFreeRedirect(callbackResponse: Response): URL {
  expect(callbackResponse.status, 'the callback answers with a redirect').toBe(303)
  const location = new URL(callbackResponse.headers.get('Location') ?? '')
  for (const name of ['code', 'state', 'iss']) expect(location.searchParams.has(name), `${name} in ${location}`).toBe(false)
  return location
}

/** Follows a callback that ended on Latchkey's result route (/oauth/done) and returns that page. */
export async function resultPageAfter(browser: Browser, callbackResponse: Response): Promise<Response> {
  const location = expectCodeFreeRedirect(callbackResponse)
  expect(`${location.origin}${location.pathname}`).toBe(`${LATCHKEY_ORIGIN}/oauth/done`)
  return browser.get(location)
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
 * Walks the whole flow against the e2e authorization server (its own sign-in and consent pages,
 * scripts/authorization-server/interaction-routes.ts; test/setup/authorization-server.ts): connect URL (returning to RETURN_URL), sign-in as
 * `account` (any password), consent, callback, back to the app. `browser` must follow
 * `issuer`'s redirects. Fails the test if any step does not land where a browser would expect it.
 */
export async function connectWithLogin(browser: Browser, issuer: string, account: string, connect: { tenant: string; connectorKey: string }): Promise<FinishedFlow> {
  const loginPage = await browser.navigate(await connectUrlFor(connect.connectorKey, { sub: connect.tenant, connector: connect.connectorKey, return_url: RETURN_URL }))
  expect(loginPage.response.status, 'the browser lands on the sign-in page').toBe(200)
  expect(loginPage.url.startsWith(`${issuer}/interaction/`)).toBe(true)
  await loginPage.response.body?.cancel()

  const consentPage = await browser.navigate(loginPage.url, { form: { prompt: 'login', login: account, password: 'any password' } })
  expect(consentPage.response.status, 'the browser lands on the consent page').toBe(200)
  expect(consentPage.url.startsWith(`${issuer}/interaction/`)).toBe(true)
  await consentPage.response.body?.cancel()

  const end = await browser.navigate(consentPage.url, { form: { prompt: 'consent' } })
  expect(end.leftTo, 'the flow ends with a redirect to the app').not.toBeNull()
  const callback = browser.requests.findLast((request) => request.url.startsWith(`${LATCHKEY_ORIGIN}/oauth/callback?`))
  if (!callback) throw new Error('the browser never reached the callback')
  return { returnedTo: new URL(end.leftTo ?? ''), callbackUrl: callback.url, callbackCookie: callback.cookieHeader }
}

async function describe(response: Response): Promise<string> {
  if (response.status === 302 || response.status === 303) return `redirect to ${response.headers.get('Location')}`
  return `HTTP ${response.status}: ${(await response.clone().text()).slice(0, 500)}`
}
