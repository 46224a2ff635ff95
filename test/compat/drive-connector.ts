/**
 * Drives one compat connector end to end the way an application and a user would: a connect
 * token -> `/connect/<key>` -> the provider's authorize URL -> the emulator approves -> the
 * Latchkey callback -> a connection id (OAuth2, and OAuth 1.0a alike: the authorize URL then
 * carries the request token, the callback the verifier). A client-credentials connector (API
 * key, basic auth) is connected over RPC instead: `createTypedConnection`. Afterwards the
 * connection is used over the service binding to LatchkeyService (`latchkey`: testConnection,
 * refresh, getAccessToken, proxy), as another Worker would. Each step is exported too, so a
 * test can stop and look in between.
 */
import { env } from 'cloudflare:workers'
import { expect } from 'vitest'
import { LatchkeyClient, LatchkeyClientError, type ConnectionSummary } from '@latchkey/client'
import { findConnector } from '../../src/registry/registry.ts'
import { Browser, LATCHKEY_ORIGIN } from '../support/browser.ts'
import { mintConnectToken } from '../support/connect-token.ts'

/** LatchkeyService over the LATCHKEY_SELF service binding, through the typed client of examples/caller-worker. */
export const latchkey = new LatchkeyClient(env.LATCHKEY_SELF)

/** Where the application wants the user back (an ALLOWED_RETURN_ORIGINS origin of vitest.config.ts). */
export const RETURN_URL = 'https://app.example.com/done'

/** What to connect. */
export interface ConnectOptions {
  /** The connection input the application puts in the connect token (shop, tenant...). */
  input?: Record<string, unknown>
  /** Default: a fresh tenant per connection. */
  tenant?: string
  /** For a connector with several ways to connect (`auth.options`): which one (the `auth_option` claim). */
  authOption?: string
}

/** A connection made through the whole flow, with what each step produced. */
export interface CompatConnection {
  connectorKey: string
  tenant: string
  connectionId: string
  /** The emulator's grant id: filter its logs and tokens by it. */
  grant: string
  /** Where Latchkey sent the browser. */
  authorizeUrl: URL
  /** Where the provider sent the browser back. */
  callbackUrl: URL
}

/** Asserts the connector is in the compiled registry; on failure shows why the build left it out. */
export function expectCompiled(connectorKey: string): void {
  const errors = JSON.parse(String(Reflect.get(env, 'COMPAT_COMPILE_ERRORS') ?? '[]')) as string[]
  const own = errors.filter((line) => line.includes(`/connectors/${connectorKey}/`))
  expect(findConnector(connectorKey), `connector ${connectorKey} is not in the registry:\n${own.join('\n')}`).toBeDefined()
}

/** Step 1: the application's connect URL, opened in a new browser; returns the authorize URL Latchkey redirected to. */
export async function startConnect(connectorKey: string, options: ConnectOptions = {}): Promise<{ browser: Browser; tenant: string; authorizeUrl: URL }> {
  const tenant = options.tenant ?? `tenant-${crypto.randomUUID()}`
  const token = await mintConnectToken({
    sub: tenant,
    input: options.input ?? {},
    return_url: RETURN_URL,
    ...(options.authOption !== undefined && { auth_option: options.authOption }),
  })
  const browser = new Browser()
  const response = await browser.get(`${LATCHKEY_ORIGIN}/connect/${connectorKey}?token=${token}`)
  expect(response.status, await describe(response)).toBe(302)
  return { browser, tenant, authorizeUrl: new URL(response.headers.get('Location') ?? '') }
}

/** Step 2: the user approves at the provider (its emulator approves at once); returns the callback URL and the grant. */
export async function approveAtProvider(browser: Browser, authorizeUrl: URL): Promise<{ callbackUrl: URL; grant: string }> {
  const response = await browser.get(authorizeUrl)
  expect(response.status, await describe(response)).toBe(302)
  const callbackUrl = new URL(response.headers.get('Location') ?? '')
  expect(callbackUrl.searchParams.get('error'), callbackUrl.toString()).toBeNull()
  return { callbackUrl, grant: response.headers.get('X-Emulator-Grant') ?? '' }
}

/** Step 3: the browser lands on Latchkey's callback; returns the new connection's id from the return URL. */
export async function finishAtLatchkey(browser: Browser, callbackUrl: URL): Promise<string> {
  const response = await browser.get(callbackUrl)
  expect(response.status, await describe(response)).toBe(303)
  const location = new URL(response.headers.get('Location') ?? '')
  expect(`${location.origin}${location.pathname}`).toBe(RETURN_URL)
  const connectionId = location.searchParams.get('connection_id')
  expect(connectionId, `the flow ended without a connection: ${location}`).toMatch(/^conn_[a-z2-7]{26}$/)
  return connectionId ?? ''
}

/** Steps 1 to 3: a connection through the whole flow. */
export async function connect(connectorKey: string, options: ConnectOptions = {}): Promise<CompatConnection> {
  const { browser, tenant, authorizeUrl } = await startConnect(connectorKey, options)
  const { callbackUrl, grant } = await approveAtProvider(browser, authorizeUrl)
  const connectionId = await finishAtLatchkey(browser, callbackUrl)
  return { connectorKey, tenant, connectionId, grant, authorizeUrl, callbackUrl }
}

/** A client-credentials connection made over RPC, as an application that collected the input itself makes it. */
export interface TypedConnection {
  connectorKey: string
  tenant: string
  connectionId: string
  summary: ConnectionSummary
}

/**
 * A client-credentials connection (API key, basic auth, an OAuth2 client-credentials grant)
 * from `connectionInput`, secrets included, through RPC `createConnection`: Latchkey validates
 * the input, runs the connector's test and stores the connection only when it passes.
 */
export async function createTypedConnection(
  connectorKey: string,
  connectionInput: Record<string, unknown>,
  options: { tenant?: string; authOption?: string } = {},
): Promise<TypedConnection> {
  const tenant = options.tenant ?? `tenant-${crypto.randomUUID()}`
  const summary = await latchkey.createConnection({
    tenant,
    connectorKey,
    connectionInput,
    ...(options.authOption !== undefined && { authOption: options.authOption }),
  })
  expect(summary.connectionId).toMatch(/^conn_[a-z2-7]{26}$/)
  return { connectorKey, tenant, connectionId: summary.connectionId, summary }
}

/** The `code` of a Latchkey error from `call` (LatchkeyClientError), for asserting refusals. */
export async function latchkeyErrorCode(call: () => Promise<unknown>): Promise<string> {
  try {
    await call()
  } catch (error) {
    if (error instanceof LatchkeyClientError) return error.code
    throw error
  }
  throw new Error('expected the Latchkey call to fail')
}

async function describe(response: Response): Promise<string> {
  if (response.status === 302 || response.status === 303) return `redirect to ${response.headers.get('Location')}`
  return `HTTP ${response.status}: ${(await response.clone().text()).slice(0, 500)}`
}
