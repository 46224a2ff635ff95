/**
 * Drives the connect flow end to end the way a browser does: connect URL -> upstream authorize
 * -> Latchkey callback. Other test files may use `connectThroughFlow` to get a real connection.
 */
import { expect } from 'vitest'
import { Browser, LATCHKEY_ORIGIN } from './browser.ts'
import { mintConnectToken, type ConnectTokenClaims } from './connect-token.ts'
import { UpstreamScenario } from './upstream.ts'

/** What to connect. `input.scenario` defaults to the scenario's id. */
export interface FlowOptions {
  connectorKey?: string
  tenant?: string
  input?: Record<string, unknown>
  claims?: ConnectTokenClaims
}

/** The connect URL for a freshly minted token. */
export async function connectUrl(scenario: UpstreamScenario, options: FlowOptions = {}): Promise<string> {
  const connectorKey = options.connectorKey ?? 'test-oauth'
  const token = await mintConnectToken({
    sub: options.tenant ?? 'tenant-1',
    input: { scenario: scenario.id, ...options.input },
    ...options.claims,
  })
  return `${LATCHKEY_ORIGIN}/connect/${connectorKey}?token=${token}`
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

/** The error code on a Latchkey error page (or the `error` of a redirect), for assertions. */
export async function errorCodeOf(response: Response): Promise<string | null> {
  const location = response.headers.get('Location')
  if (location !== null) return new URL(location).searchParams.get('error')
  const text = await response.clone().text()
  return /Error code: <code>([a-z_]+)<\/code>/.exec(text)?.[1] ?? null
}

async function describe(response: Response): Promise<string> {
  if (response.status === 302 || response.status === 303) return `redirect to ${response.headers.get('Location')}`
  return `HTTP ${response.status}: ${(await response.clone().text()).slice(0, 500)}`
}
