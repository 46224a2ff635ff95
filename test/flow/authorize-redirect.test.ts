import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { isPendingAuthorization } from '../../src/flow/pending-authorization.ts'
import { Browser, LATCHKEY_ORIGIN } from '../support/browser.ts'
import { connectUrl, startFlow } from '../support/connect-flow.ts'
import { errorCodeOf } from '../support/error-code.ts'
import { UpstreamScenario } from '../support/upstream.ts'

const REDIRECT_URI = `${LATCHKEY_ORIGIN}/oauth/callback`

async function s256(verifier: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)))
  return btoa(String.fromCharCode(...digest))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '')
}

async function pendingRecord(state: string): Promise<Record<string, unknown>> {
  const record = await env.PENDING_AUTHORIZATIONS.get<Record<string, unknown>>(`state:${state}`, 'json')
  expect(record).not.toBeNull()
  return record ?? {}
}

describe('the authorize redirect', () => {
  it('sends the browser to the authorize URI with the code-flow parameters', async () => {
    const scenario = new UpstreamScenario()
    const { authorizeUrl } = await startFlow(new Browser(), scenario, { input: { scopes: ['read', 'write'], extra: { prompt: 'consent' } } })
    expect(`${authorizeUrl.origin}${authorizeUrl.pathname}`).toBe(`${scenario.base}/authorize`)
    const query = Object.fromEntries(authorizeUrl.searchParams)
    expect(query).toMatchObject({
      response_type: 'code',
      client_id: 'test-client',
      redirect_uri: REDIRECT_URI,
      scope: 'read write',
      code_challenge_method: 'S256',
      prompt: 'consent',
    })
    expect(Object.keys(query).sort()).toEqual(['client_id', 'code_challenge', 'code_challenge_method', 'prompt', 'redirect_uri', 'response_type', 'scope', 'state'].sort())
  })

  it('omits scope when the connector requests none', async () => {
    const { authorizeUrl } = await startFlow(new Browser(), new UpstreamScenario())
    expect(authorizeUrl.searchParams.has('scope')).toBe(false)
  })

  it('does not let extra override protocol parameters', async () => {
    const { authorizeUrl } = await startFlow(new Browser(), new UpstreamScenario(), {
      input: { extra: { response_type: 'token', redirect_uri: 'https://evil.example/cb', state: 'fixed', client_id: 'other', access_type: 'offline' } },
    })
    expect(authorizeUrl.searchParams.getAll('response_type')).toEqual(['code'])
    expect(authorizeUrl.searchParams.getAll('redirect_uri')).toEqual([REDIRECT_URI])
    expect(authorizeUrl.searchParams.getAll('client_id')).toEqual(['test-client'])
    expect(authorizeUrl.searchParams.get('state')).not.toBe('fixed')
    expect(authorizeUrl.searchParams.get('access_type')).toBe('offline')
  })

  it('marks the redirect no-store and no-referrer', async () => {
    const response = await new Browser().get(await connectUrl(new UpstreamScenario()))
    expect(response.headers.get('Cache-Control')).toBe('no-store')
    expect(response.headers.get('Referrer-Policy')).toBe('no-referrer')
  })

  it('S1 state is 32 random bytes in base64url and new per flow', async () => {
    const scenario = new UpstreamScenario()
    const states = new Set<string>()
    for (let flow = 0; flow < 20; flow++) {
      const { state } = await startFlow(new Browser(), scenario)
      expect(state).toMatch(/^[A-Za-z0-9_-]{43}$/)
      states.add(state)
    }
    expect(states.size).toBe(20)
  })

  it('S2 binds the flow to the browser with a __Host- cookie whose hash is in the pending record', async () => {
    const browser = new Browser()
    const response = await browser.get(await connectUrl(new UpstreamScenario()))
    const setCookie = response.headers.get('Set-Cookie') ?? ''
    expect(setCookie).toMatch(/^__Host-latchkey-flow-[A-Za-z0-9_-]{16}=[A-Za-z0-9_-]{43};/)
    for (const attribute of ['Secure', 'HttpOnly', 'SameSite=Lax', 'Path=/']) expect(setCookie).toContain(attribute)
    expect(setCookie).not.toMatch(/Domain=/i)
    const state = new URL(response.headers.get('Location') ?? '').searchParams.get('state') ?? ''
    const [nonce = ''] = [...browser.cookies().values()]
    const record = await pendingRecord(state)
    expect(record['browserBindingHash']).toBe(await s256(nonce))
    expect(JSON.stringify(record)).not.toContain(nonce)
  })

  it('S2 pending authorizations expire within 10 minutes', async () => {
    const before = Date.now()
    const { state } = await startFlow(new Browser(), new UpstreamScenario())
    const record = await pendingRecord(state)
    expect(record['expiresAt']).toBeGreaterThan(before)
    expect(record['expiresAt']).toBeLessThanOrEqual(Date.now() + 10 * 60_000)
  })

  it('S3 the callback needs are stored server-side under the state, not carried in it', async () => {
    const scenario = new UpstreamScenario()
    const { authorizeUrl, state } = await startFlow(new Browser(), scenario, {
      tenant: 'tenant-s3',
      claims: { return_url: 'https://app.example.com/after' },
    })
    const record = await pendingRecord(state)
    expect(isPendingAuthorization(record)).toBe(true)
    expect(record).toMatchObject({
      connectorKey: 'test-oauth',
      tenant: 'tenant-s3',
      connectionInput: { scenario: scenario.id },
      returnUrl: 'https://app.example.com/after',
      tokenUri: `${scenario.base}/token`,
      redirectUri: REDIRECT_URI,
      mode: 'redirect',
      connectionId: null,
    })
    expect(authorizeUrl.toString()).not.toContain('tenant-s3')
  })

  it('S4 code_challenge is the S256 of the stored verifier', async () => {
    const { authorizeUrl, state } = await startFlow(new Browser(), new UpstreamScenario())
    const verifier = (await pendingRecord(state))['codeVerifier']
    expect(verifier).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(authorizeUrl.searchParams.get('code_challenge')).toBe(await s256(String(verifier)))
    expect(authorizeUrl.searchParams.get('code_challenge_method')).toBe('S256')
  })

  it('S4 sends no PKCE only when the connector sets skipPkce', async () => {
    const { authorizeUrl, state } = await startFlow(new Browser(), new UpstreamScenario(), { input: { skipPkce: true } })
    expect(authorizeUrl.searchParams.has('code_challenge')).toBe(false)
    expect(authorizeUrl.searchParams.has('code_challenge_method')).toBe(false)
    expect((await pendingRecord(state))['codeVerifier']).toBeNull()
  })

  it('S16 asks only for the authorization code grant', async () => {
    const { authorizeUrl } = await startFlow(new Browser(), new UpstreamScenario(), { input: { extra: { response_type: 'token id_token' } } })
    expect(authorizeUrl.searchParams.getAll('response_type')).toEqual(['code'])
  })

  it('S10 a plain http token endpoint is refused unless it is loopback and allowed', async () => {
    const scenario = new UpstreamScenario()
    const response = await new Browser().get(await connectUrl(scenario, { input: { tokenUri: 'http://auth.example.com/token' } }))
    expect(response.status).toBe(500)
    expect(await errorCodeOf(response)).toBe('connector_misconfigured')
    // The upstream (loopback) is accepted because the tests set ALLOW_INSECURE_LOOPBACK=true.
    expect((await new Browser().get(await connectUrl(scenario))).status).toBe(302)
  })

  it('refuses a connector whose required parameter is not set, naming the variable', async () => {
    const response = await new Browser().get(await connectUrl(new UpstreamScenario(), { connectorKey: 'test-misconfigured', input: {} }))
    expect(response.status).toBe(500)
    expect(await errorCodeOf(response)).toBe('connector_misconfigured')
    expect(await response.text()).toContain('TEST_MISCONFIGURED__CLIENT_ID')
  })

  it('refuses connection input that does not match the inputSchema', async () => {
    const response = await new Browser().get(await connectUrl(new UpstreamScenario(), { input: { scenario: 'no spaces allowed' } }))
    expect(response.status).toBe(400)
    expect(await errorCodeOf(response)).toBe('invalid_connection_input')
    expect(await response.text()).toContain('/scenario')
  })

  it('refuses a return URL outside ALLOWED_RETURN_ORIGINS', async () => {
    const response = await new Browser().get(await connectUrl(new UpstreamScenario(), { claims: { return_url: 'https://evil.example/x' } }))
    expect(response.status).toBe(400)
    expect(await errorCodeOf(response)).toBe('return_url_not_allowed')
  })

  it('refuses popup mode without a return URL', async () => {
    const response = await new Browser().get(await connectUrl(new UpstreamScenario(), { claims: { mode: 'popup' } }))
    expect(await errorCodeOf(response)).toBe('invalid_request')
  })

  it('answers connector_not_found for an unknown connector', async () => {
    const response = await new Browser().get(await connectUrl(new UpstreamScenario(), { connectorKey: 'no-such-connector' }))
    expect(response.status).toBe(404)
    expect(await errorCodeOf(response)).toBe('connector_not_found')
  })
})
