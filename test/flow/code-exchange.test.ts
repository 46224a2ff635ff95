import { env } from 'cloudflare:test'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { Browser, LATCHKEY_ORIGIN } from '../support/browser.ts'
import { authorizeAtUpstream, flowUpToCallback, resultPageAfter, RETURN_URL, startFlow, type FlowOptions } from '../support/connect-flow.ts'
import { storedCredentials } from '../support/connections.ts'
import { errorCodeOf } from '../support/error-code.ts'
import { UpstreamScenario } from '../support/upstream.ts'

const CLIENT_SECRET = 'se:cr&t+ va%lue'
const REDIRECT_URI = `${LATCHKEY_ORIGIN}/oauth/callback`

afterEach(() => {
  vi.restoreAllMocks()
})

/** Runs a flow to its end with a return URL; returns the redirect's query. */
async function runFlow(scenario: UpstreamScenario, options: FlowOptions = {}): Promise<Record<string, string>> {
  const browser = new Browser()
  const callbackUrl = await flowUpToCallback(browser, scenario, { ...options, claims: { return_url: RETURN_URL, ...options.claims } })
  const response = await browser.get(callbackUrl)
  expect(response.status, await response.clone().text()).toBe(303)
  return Object.fromEntries(new URL(response.headers.get('Location') ?? '').searchParams)
}

async function tokenRequest(scenario: UpstreamScenario): Promise<{ form: URLSearchParams; headers: Record<string, string> }> {
  const [request] = await scenario.requestsTo('/token')
  expect(request).toBeDefined()
  return { form: new URLSearchParams(request?.body ?? ''), headers: request?.headers ?? {} }
}

function basic(id: string, secret: string): string {
  const encode = (value: string): string => new URLSearchParams([['', value]]).toString().slice(1)
  return `Basic ${btoa(`${encode(id)}:${encode(secret)}`)}`
}

describe('the code exchange', () => {
  it('posts the code, the byte-identical redirect URI and the verifier to the stored token endpoint', async () => {
    const scenario = new UpstreamScenario()
    const result = await runFlow(scenario)
    expect(result['status']).toBe('connected')
    const { form, headers } = await tokenRequest(scenario)
    expect(form.get('grant_type')).toBe('authorization_code')
    expect(form.get('code')).toMatch(/.+/)
    expect(form.get('code_verifier')).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(headers['accept']).toBe('application/json')
    expect(headers['content-type']).toContain('application/x-www-form-urlencoded')
  })

  it('S5 sends the redirect URI byte-identical in the authorize and token requests', async () => {
    const scenario = new UpstreamScenario()
    const browser = new Browser()
    const { authorizeUrl } = await startFlow(browser, scenario, { claims: { return_url: RETURN_URL } })
    expect(authorizeUrl.searchParams.get('redirect_uri')).toBe(REDIRECT_URI)
    const response = await browser.get(await authorizeAtUpstream(browser, authorizeUrl))
    expect(new URL(response.headers.get('Location') ?? '').searchParams.get('status')).toBe('connected')
    expect((await tokenRequest(scenario)).form.get('redirect_uri')).toBe(REDIRECT_URI)
  })

  it('S4 a strict server rejects a wrong verifier and the exchange is not retried without PKCE', async () => {
    const scenario = new UpstreamScenario()
    const browser = new Browser()
    const callbackUrl = await flowUpToCallback(browser, scenario, { claims: { return_url: RETURN_URL } })
    const key = `state:${callbackUrl.searchParams.get('state')}`
    const record = await env.PENDING_AUTHORIZATIONS.get<Record<string, unknown>>(key, 'json')
    await env.PENDING_AUTHORIZATIONS.put(key, JSON.stringify({ ...record, codeVerifier: 'x'.repeat(43) }))
    const response = await browser.get(callbackUrl)
    expect(await errorCodeOf(response)).toBe('token_exchange_failed')
    expect(await scenario.count('/token')).toBe(1)
  })

  it('S6 the code goes to the token endpoint stored with the transaction, never to the one that issued it', async () => {
    const honest = new UpstreamScenario()
    const attacker = new UpstreamScenario()
    const browser = new Browser()
    const { authorizeUrl } = await startFlow(browser, honest, { claims: { return_url: RETURN_URL } })
    // The attacker's server answers the honest transaction's authorization request.
    const hijacked = new URL(authorizeUrl.toString().replace(honest.base, attacker.base))
    const response = await browser.get(await authorizeAtUpstream(browser, hijacked))
    expect(await errorCodeOf(response)).toBe('token_exchange_failed')
    expect(await honest.count('/token')).toBe(1)
    expect(await attacker.count('/token')).toBe(0)
  })

  it('S6 a callback whose iss differs from the declared issuer is rejected before any token request', async () => {
    const honest = new UpstreamScenario()
    const attacker = new UpstreamScenario()
    await attacker.configure({ sendIss: true })
    const browser = new Browser()
    const { authorizeUrl } = await startFlow(browser, honest, { input: { withIssuer: true }, claims: { return_url: RETURN_URL } })
    const hijacked = new URL(authorizeUrl.toString().replace(honest.base, attacker.base))
    const response = await browser.get(await authorizeAtUpstream(browser, hijacked))
    expect(await errorCodeOf(response)).toBe('issuer_mismatch')
    expect(await honest.count('/token')).toBe(0)
    expect(await attacker.count('/token')).toBe(0)
  })

  it('S6 a callback without iss is rejected before any token request when the issuer advertises that it sends iss', async () => {
    const scenario = new UpstreamScenario()
    await scenario.configure({ advertiseIss: true })
    const browser = new Browser()
    const callbackUrl = await flowUpToCallback(browser, scenario, { input: { withIssuer: true }, claims: { return_url: RETURN_URL } })
    expect(await errorCodeOf(await browser.get(callbackUrl))).toBe('issuer_mismatch')
    expect(await scenario.count('/token')).toBe(0)
  })

  it('S6 a callback without iss completes when the issuer does not advertise iss, reading its discovery document once for iss and keys', async () => {
    const scenario = new UpstreamScenario()
    const result = await runFlow(scenario, { input: { withIssuer: true, scopes: ['openid'] } })
    expect(result['status']).toBe('connected')
    expect((await storedCredentials(result['connection_id'] ?? ''))['id_token']).toEqual(expect.any(String))
    expect(await scenario.count('/.well-known/openid-configuration')).toBe(1)
    expect(await scenario.count('/jwks')).toBe(1)
  })

  it.each([
    ['answers HTTP 500', { status: 500, body: 'down' }],
    ['is not JSON', { status: 200, body: 'not json' }],
    ['names another issuer', { status: 200, body: { issuer: 'https://other.example' } }],
    ['is larger than 64 KiB', { status: 200, body: { issuer: 'x', padding: 'x'.repeat(70_000) } }],
  ])('S6 a callback without iss is rejected (fail closed) when the discovery document %s', async (_case, discovery) => {
    const scenario = new UpstreamScenario()
    await scenario.script('/.well-known/openid-configuration', [discovery])
    const browser = new Browser()
    const callbackUrl = await flowUpToCallback(browser, scenario, { input: { withIssuer: true }, claims: { return_url: RETURN_URL } })
    expect(await errorCodeOf(await browser.get(callbackUrl))).toBe('issuer_mismatch')
    expect(await scenario.count('/token')).toBe(0)
  })

  it('S6 a callback with the declared iss completes', async () => {
    const scenario = new UpstreamScenario()
    await scenario.configure({ sendIss: true })
    expect((await runFlow(scenario, { input: { withIssuer: true } }))['status']).toBe('connected')
  })
})

describe('client authentication', () => {
  it('S9 Basic credentials are form-urlencoded before base64', async () => {
    const scenario = new UpstreamScenario()
    await scenario.configure({ client: { id: 'test-client', secret: CLIENT_SECRET, auth: 'basic' } })
    expect((await runFlow(scenario, { input: { clientAuthLocation: 'headers' } }))['status']).toBe('connected')
    const { form, headers } = await tokenRequest(scenario)
    expect(headers['authorization']).toBe(basic('test-client', CLIENT_SECRET))
    expect(headers['authorization']).toBe(`Basic ${btoa('test-client:se%3Acr%26t%2B+va%25lue')}`)
    expect(form.has('client_secret')).toBe(false)
  })

  it('S9 clientAuthLocation body sends the credentials as form fields only', async () => {
    const scenario = new UpstreamScenario()
    await scenario.configure({ client: { id: 'test-client', secret: CLIENT_SECRET, auth: 'post' } })
    expect((await runFlow(scenario, { input: { clientAuthLocation: 'body' } }))['status']).toBe('connected')
    const { form, headers } = await tokenRequest(scenario)
    expect(headers['authorization']).toBeUndefined()
    expect(form.get('client_id')).toBe('test-client')
    expect(form.get('client_secret')).toBe(CLIENT_SECRET)
  })

  it('S9 without clientAuthLocation the credentials go in both places (the seed rule)', async () => {
    const scenario = new UpstreamScenario()
    await scenario.configure({ client: { id: 'test-client', secret: CLIENT_SECRET, auth: 'any' } })
    expect((await runFlow(scenario))['status']).toBe('connected')
    const { form, headers } = await tokenRequest(scenario)
    expect(headers['authorization']).toBe(basic('test-client', CLIENT_SECRET))
    expect(form.get('client_secret')).toBe(CLIENT_SECRET)
  })

  it('S9 a strict Basic-only server refuses the seed default of both', async () => {
    const scenario = new UpstreamScenario()
    await scenario.configure({ client: { id: 'test-client', secret: CLIENT_SECRET, auth: 'basic' } })
    expect((await runFlow(scenario))['error']).toBe('token_exchange_failed')
  })
})

describe('token responses (S11)', () => {
  it('keeps the whole JSON response and turns expires_in into expires_at', async () => {
    const scenario = new UpstreamScenario()
    await scenario.configure({ tokenFields: { instance_url: 'https://instance.example' } })
    const before = Date.now()
    const { connection_id: connectionId = '' } = await runFlow(scenario, { input: { scopes: ['read'] } })
    const credentials = await storedCredentials(connectionId)
    expect(credentials).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'read', instance_url: 'https://instance.example' })
    expect(credentials['access_token']).toMatch(/^at_/)
    expect(credentials['refresh_token']).toMatch(/^rt_/)
    expect(credentials['expires_at']).toBeGreaterThanOrEqual(before + 3600_000)
    expect(credentials['expires_at']).toBeLessThanOrEqual(Date.now() + 3600_000)
  })

  it('accepts a form-encoded token response', async () => {
    const scenario = new UpstreamScenario()
    await scenario.configure({ tokenFormat: 'form' })
    const { connection_id: connectionId = '', status } = await runFlow(scenario)
    expect(status).toBe('connected')
    expect((await storedCredentials(connectionId))['access_token']).toMatch(/^at_/)
  })

  it('accepts expires_in as a numeric string', async () => {
    const scenario = new UpstreamScenario()
    await scenario.configure({ expiresIn: '7200' })
    const before = Date.now()
    const { connection_id: connectionId = '' } = await runFlow(scenario)
    const credentials = await storedCredentials(connectionId)
    expect(credentials['expires_in']).toBe('7200')
    expect(credentials['expires_at']).toBeGreaterThanOrEqual(before + 7200_000)
  })

  it.each([
    ['a response without access_token', { status: 200, body: { token_type: 'Bearer', expires_in: 60 } }, 'invalid_token_response'],
    ['an empty access_token', { status: 200, body: { access_token: '' } }, 'invalid_token_response'],
    ['a token_type that is not a string', { status: 200, body: { access_token: 'a', token_type: ['Bearer'] } }, 'invalid_token_response'],
    ['a non-numeric expires_in', { status: 200, body: { access_token: 'a', expires_in: 'soon' } }, 'invalid_token_response'],
    ['an HTML page with status 200', { status: 200, headers: { 'Content-Type': 'text/html' }, body: '<html>login</html>' }, 'invalid_token_response'],
    ['a JSON array', { status: 200, body: [{ access_token: 'a' }] }, 'invalid_token_response'],
    ['a 400 invalid_grant', { status: 400, body: { error: 'invalid_grant', error_description: 'bad code' } }, 'token_exchange_failed'],
    ['a 401 invalid_client', { status: 401, body: { error: 'invalid_client' } }, 'token_exchange_failed'],
    ['a 200 with an error body', { status: 200, body: { error: 'bad_verification_code' } }, 'token_exchange_failed'],
    ['a 500 HTML page', { status: 500, headers: { 'Content-Type': 'text/html' }, body: '<h1>oops</h1>' }, 'token_exchange_failed'],
    ['a 503 with Retry-After', { status: 503, headers: { 'Retry-After': '30' }, body: '' }, 'token_exchange_failed'],
    ['a 429', { status: 429, body: { message: 'slow down' } }, 'token_exchange_failed'],
    ['S18 an expires_in beyond 10 years', { status: 200, body: { access_token: 'a', token_type: 'Bearer', expires_in: 1e300 } }, 'invalid_token_response'],
    // Headers in time, then half a body and silence: the exchange's timeout covers the body too.
    ['a body that stops half-way (slow loris)', { status: 200, body: { access_token: 'a', token_type: 'Bearer', expires_in: 3600 }, stallBody: true }, 'token_exchange_failed'],
  ])('refuses %s and stores nothing', async (_case, scripted, code) => {
    const scenario = new UpstreamScenario()
    await scenario.script('/token', [scripted])
    const result = await runFlow(scenario)
    expect(result).toEqual({ error: code })
    expect(await scenario.count('/token')).toBe(1)
    expect(await scenario.count('/api/me')).toBe(0)
  })

  it('S13 the refusal message (in the Worker log) carries the OAuth error code but not the description, and the page neither', async () => {
    const logged: string[] = []
    vi.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => {
      logged.push(args.map(String).join(' '))
    })
    const scenario = new UpstreamScenario()
    await scenario.script('/token', [{ status: 400, body: { error: 'invalid_grant', error_description: 'code abc123 secret-ish' } }])
    const browser = new Browser()
    const page = await (await resultPageAfter(browser, await browser.get(await flowUpToCallback(browser, scenario)))).text()
    expect(page).toContain('token_exchange_failed')
    expect(page).not.toContain('abc123')
    const line = logged.find((entry) => entry.includes('token_exchange_failed')) ?? ''
    expect(line).toContain('invalid_grant')
    expect(logged.join('\n')).not.toContain('abc123')
  })
})

describe('connector methods in the exchange', () => {
  it('uses the connector getTokenData instead of the default exchange', async () => {
    const scenario = new UpstreamScenario()
    await scenario.configure({ callbackParams: { realmId: 'realm-42' } })
    const { connection_id: connectionId = '', status } = await runFlow(scenario, { connectorKey: 'test-oauth-custom', input: { sandbox: true } })
    expect(status).toBe('connected')
    const { form, headers } = await tokenRequest(scenario)
    expect(form.get('custom_exchange')).toBe('yes')
    expect(form.get('code_verifier')).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(headers['authorization']).toBeUndefined()
    const credentials = await storedCredentials(connectionId)
    expect(credentials).toMatchObject({ obtainedBy: 'getTokenData', realmId: 'realm-42', realmIdFromQueryParameters: 'realm-42', isSandbox: true })
    expect(credentials['access_token']).toMatch(/^at_/)
    expect(credentials['expires_at']).toEqual(expect.any(Number))
  })

  it('evaluates a JavaScript getOAuthConfig for the authorize URL', async () => {
    const scenario = new UpstreamScenario()
    const { authorizeUrl } = await startFlow(new Browser(), scenario, { connectorKey: 'test-oauth-custom' })
    expect(authorizeUrl.searchParams.get('scope')).toBe('read write')
    expect(authorizeUrl.searchParams.get('prompt')).toBe('consent')
    expect(`${authorizeUrl.origin}${authorizeUrl.pathname}`).toBe(`${scenario.base}/authorize`)
  })

  it('maps credentials with a getCredentialsFromTokenResponse mapping (older name) and the callback query', async () => {
    const scenario = new UpstreamScenario()
    await scenario.configure({ callbackParams: { account_id: 'acct-7' }, client: { id: 'test-client', secret: CLIENT_SECRET, auth: 'basic' } })
    const { connection_id: connectionId = '', status } = await runFlow(scenario, { connectorKey: 'test-oauth-mapped' })
    expect(status).toBe('connected')
    const credentials = await storedCredentials(connectionId)
    expect(Object.keys(credentials).sort()).toEqual(['access_token', 'accountId', 'expires_at', 'refresh_token'])
    expect(credentials['accountId']).toBe('acct-7')
  })
})

describe('id_tokens (S17)', () => {
  const openid = { input: { withIssuer: true, scopes: ['openid', 'email'] } }

  it('S17 a valid id_token from the declared issuer is accepted', async () => {
    const scenario = new UpstreamScenario()
    await scenario.configure({ sendIss: true })
    const { connection_id: connectionId = '', status } = await runFlow(scenario, openid)
    expect(status).toBe('connected')
    expect((await storedCredentials(connectionId))['id_token']).toEqual(expect.any(String))
    expect(await scenario.count('/jwks')).toBe(1)
  })

  it('S17 without a declared issuer an id_token is not stored, and the connection is', async () => {
    const scenario = new UpstreamScenario()
    const { connection_id: connectionId = '', status } = await runFlow(scenario, { input: { scopes: ['openid', 'email'] } })
    expect(status).toBe('connected')
    expect(await scenario.requestsTo('/token')).toHaveLength(1)
    const credentials = await storedCredentials(connectionId)
    expect(credentials['access_token']).toMatch(/^at_/)
    expect(credentials).not.toHaveProperty('id_token')
    expect(await scenario.count('/jwks')).toBe(0)
  })

  it.each([
    ['without a declared issuer', {}],
    ['with a declared issuer', { withIssuer: true }],
  ])('S17 an id_token the flow did not ask for (no openid scope) is not stored, %s', async (_case, input) => {
    const scenario = new UpstreamScenario()
    await scenario.configure({ sendIss: true, tokenFields: { id_token: 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.' } })
    const { connection_id: connectionId = '', status } = await runFlow(scenario, { input: { ...input, scopes: ['read'] } })
    expect(status).toBe('connected')
    expect(await storedCredentials(connectionId)).not.toHaveProperty('id_token')
  })

  it("S17 S10 the issuer's discovery document is read with a size limit: an oversized one means the id_token cannot be validated", async () => {
    const scenario = new UpstreamScenario()
    await scenario.configure({ sendIss: true })
    await scenario.script('/.well-known/openid-configuration', [{ status: 200, body: { issuer: scenario.issuer, jwks_uri: `${scenario.base}/jwks`, padding: 'x'.repeat(70_000) } }])
    expect(await runFlow(scenario, openid)).toEqual({ error: 'invalid_id_token' })
    expect(await scenario.count('/jwks')).toBe(0)
    expect(await scenario.count('/api/me')).toBe(0)
  })

  it.each(['wrong_audience', 'wrong_issuer', 'expired', 'foreign_key', 'alg_none'] as const)('S17 a forged id_token (%s) is refused and nothing is stored', async (forgery) => {
    const scenario = new UpstreamScenario()
    await scenario.configure({ sendIss: true, idToken: forgery })
    expect(await runFlow(scenario, openid)).toEqual({ error: 'invalid_id_token' })
    expect(await scenario.count('/api/me')).toBe(0)
  })
})
