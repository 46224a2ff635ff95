/**
 * The OAuth 1.0a connect flow through the Worker (S23), against the test OAuth 1.0a provider
 * (test/setup/oauth1-provider.ts), whose signature check is the oauth-1.0a package: connect URL
 * -> request token -> authorize -> callback -> access token -> stored, sealed, tested connection.
 * The request token plays the OAuth2 state's part (S2): bound to the browser, single use,
 * expiring, and every refusal happens before any access-token request.
 */
import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import type { OAuth1LoggedRequest, OAuth1ScenarioConfig } from '../setup/oauth1-provider.ts'
import { stateGuardName } from '../../src/flow/authorization-state-guard.ts'
import { Browser, LATCHKEY_ORIGIN } from '../support/browser.ts'
import { connectUrlFor, RETURN_URL } from '../support/connect-flow.ts'
import { connectionObject, newTenant, rawStorage, storedCredentials, storedSummary } from '../support/connections.ts'
import { errorCodeOf } from '../support/error-code.ts'
import { verifierEnv } from '../support/login-csrf.ts'

const CONNECTOR_KEY = 'test-oauth1'

/** One isolated scenario of the test OAuth 1.0a provider. */
class OAuth1Provider {
  readonly id = `o1-${crypto.randomUUID()}`
  readonly base = `${(env as unknown as Record<string, string>)['TEST_OAUTH1__PROVIDER_ORIGIN']}/s/${this.id}`

  async configure(config: Partial<OAuth1ScenarioConfig>): Promise<void> {
    await fetch(`${this.base}/_control/config`, { method: 'POST', body: JSON.stringify(config) })
  }

  async log(): Promise<{ requests: OAuth1LoggedRequest[]; counts: Record<string, number> }> {
    return (await (await fetch(`${this.base}/_control/log`)).json()) as { requests: OAuth1LoggedRequest[]; counts: Record<string, number> }
  }

  async count(path: string): Promise<number> {
    return (await this.log()).counts[path] ?? 0
  }
}

interface Started {
  browser: Browser
  authorizeUrl: URL
  tenant: string
}

/** Opens a connect URL for `provider` in a fresh browser; returns where Latchkey sent it. */
async function start(provider: OAuth1Provider, input: Record<string, unknown> = {}, browser = new Browser()): Promise<Started> {
  const tenant = newTenant()
  const url = await connectUrlFor(CONNECTOR_KEY, { sub: tenant, input: { scenario: provider.id, ...input }, return_url: RETURN_URL })
  const response = await browser.get(url)
  expect(response.status, await response.clone().text()).toBe(302)
  return { browser, authorizeUrl: new URL(response.headers.get('Location') ?? ''), tenant }
}

/** The provider approves (or denies) at once: the callback URL it sends the browser to. */
async function authorize(started: Started): Promise<URL> {
  const response = await started.browser.get(started.authorizeUrl)
  expect(response.status).toBe(302)
  return new URL(response.headers.get('Location') ?? '')
}

/** The app's return URL the finished flow redirected to. */
function returnedTo(response: Response): URL {
  expect(response.status).toBe(303)
  return new URL(response.headers.get('Location') ?? '')
}

async function expectRefusedBeforeTokenRequest(provider: OAuth1Provider, response: Response, code: string, accessTokenRequests = 0): Promise<void> {
  expect(response.status).toBe(400)
  expect(await errorCodeOf(response)).toBe(code)
  expect(await provider.count('/access_token')).toBe(accessTokenRequests)
}

describe('S23 OAuth 1.0a connect flow', () => {
  for (const signatureMethod of ['HMAC-SHA1', 'HMAC-SHA256', 'PLAINTEXT'] as const) {
    it(`S23 connects end to end with ${signatureMethod}, every request signed and accepted by the provider`, async () => {
      const provider = new OAuth1Provider()
      const started = await start(provider, { signatureMethod })
      expect(`${started.authorizeUrl.origin}${started.authorizeUrl.pathname}`).toBe(`${provider.base}/authorize`)
      expect(started.authorizeUrl.searchParams.get('oauth_token')).toMatch(/^rt_/)
      // getOAuthConfig's extra reaches the authorize URL; the callback travels with the request token, not here.
      expect(started.authorizeUrl.searchParams.get('name')).toBe('Latchkey tests')
      expect(started.authorizeUrl.searchParams.get('expiration')).toBe('never')
      expect(started.authorizeUrl.searchParams.has('oauth_callback')).toBe(false)

      const callbackUrl = await authorize(started)
      expect(`${callbackUrl.origin}${callbackUrl.pathname}`).toBe(`${LATCHKEY_ORIGIN}/oauth/callback`)
      const location = returnedTo(await started.browser.get(callbackUrl))
      expect(`${location.origin}${location.pathname}`).toBe(RETURN_URL)
      // No request token or verifier in the app's URL.
      expect(location.search).not.toContain('oauth_')
      const connectionId = location.searchParams.get('connection_id') ?? ''
      expect(connectionId).toMatch(/^conn_[a-z2-7]{26}$/)
      expect(location.searchParams.get('status')).toBe('connected')

      const log = await provider.log()
      expect(log.counts['/request_token']).toBe(1)
      expect(log.counts['/access_token']).toBe(1)
      expect(log.counts['/api/me']).toBeGreaterThanOrEqual(1)
      for (const request of log.requests.filter((entry) => entry.path !== '/authorize')) {
        expect(request.problem, `${request.method} ${request.path}`).toBeNull()
        expect(request.signatureMethod).toBe(signatureMethod)
      }

      const summary = await storedSummary(connectionId)
      expect(summary).toMatchObject({ connectorKey: CONNECTOR_KEY, tenant: started.tenant, status: 'connected' })
      const credentials = await storedCredentials(connectionId)
      expect(credentials).toMatchObject({ user_id: 'user-1', screen_name: 'test-user' })
      expect(credentials['oauth_token']).toMatch(/^at_/)
      expect(credentials['oauth_token_secret']).toMatch(/^ats_/)
      // S23: the token secret is sealed like other credentials: not in storage in the clear.
      const raw = JSON.stringify(await rawStorage(connectionId))
      expect(raw).not.toContain(String(credentials['oauth_token_secret']))
      expect(raw).not.toContain(String(credentials['oauth_token']))
    })
  }

  it('S23 proxied API calls are signed: a GET with a query and a POST with a form body', async () => {
    const provider = new OAuth1Provider()
    const started = await start(provider, { signatureMethod: 'HMAC-SHA256' })
    const location = returnedTo(await started.browser.get(await authorize(started)))
    const connectionId = location.searchParams.get('connection_id') ?? ''
    const connection = connectionObject(connectionId)

    const get = await connection.proxy(started.tenant, { path: '/me?fields=id%2Cname&q=caf%C3%A9+%2A', method: 'GET', headers: [], body: null })
    expect(get.status).toBe(200)
    expect(await get.json()).toMatchObject({ ok: true, method: 'GET', signatureMethod: 'HMAC-SHA256', query: { fields: 'id,name', q: 'café *' } })

    const form = new TextEncoder().encode('status=Hello+Ladies+%2B+Gentlemen%21&tag=b&tag=a').buffer as ArrayBuffer
    const post = await connection.proxy(started.tenant, {
      path: '/statuses?include=1',
      method: 'POST',
      headers: [['Content-Type', 'application/x-www-form-urlencoded']],
      body: form,
    })
    expect(post.status).toBe(200)
    expect(await post.json()).toMatchObject({ ok: true, method: 'POST', form: { status: 'Hello Ladies + Gentlemen!' } })
    const problems = (await provider.log()).requests.map((request) => request.problem)
    expect(problems.every((problem) => problem === null)).toBe(true)
  })

  it('S23 a replayed callback is refused before any token request', async () => {
    const provider = new OAuth1Provider()
    const started = await start(provider)
    const callbackUrl = await authorize(started)
    const cookies = started.browser.cookies()
    expect(returnedTo(await started.browser.get(callbackUrl)).searchParams.get('status')).toBe('connected')
    expect(await provider.count('/access_token')).toBe(1)

    // The same browser, its binding cookie restored: the request token is spent.
    started.browser.clearCookies()
    for (const [name, value] of cookies) started.browser.setCookie(name, value)
    await expectRefusedBeforeTokenRequest(provider, await started.browser.get(callbackUrl), 'state_reused', 1)
  })

  it('S23 concurrent callbacks with one request token exchange it once', async () => {
    const provider = new OAuth1Provider()
    const started = await start(provider)
    const callbackUrl = await authorize(started)
    const responses = await Promise.all([started.browser.get(callbackUrl), started.browser.get(callbackUrl), started.browser.get(callbackUrl)])
    expect(responses.map((response) => response.status).sort()).toEqual([303, 400, 400])
    expect((await Promise.all(responses.map(errorCodeOf))).filter((code) => code === 'state_reused')).toHaveLength(2)
    expect(await provider.count('/access_token')).toBe(1)
  })

  it('S23 a callback in another browser (or without the binding cookie) is refused, and the flow stays usable', async () => {
    const provider = new OAuth1Provider()
    const victim = await start(provider)
    const callbackUrl = await authorize(victim)
    await expectRefusedBeforeTokenRequest(provider, await new Browser().get(callbackUrl), 'state_browser_mismatch')

    // The attacker's own binding value under the victim's cookie name.
    const attacker = await start(provider)
    const [name = ''] = [...victim.browser.cookies().keys()]
    const [attackerValue = ''] = [...attacker.browser.cookies().values()]
    attacker.browser.setCookie(name, attackerValue)
    await expectRefusedBeforeTokenRequest(provider, await attacker.browser.get(callbackUrl), 'state_browser_mismatch')

    expect(returnedTo(await victim.browser.get(callbackUrl)).searchParams.get('status')).toBe('connected')
  })

  it('S23 an expired request token is refused', async () => {
    const provider = new OAuth1Provider()
    const started = await start(provider)
    const callbackUrl = await authorize(started)
    // The pending record is keyed by the SHA-256 of the request token, never the token itself.
    const keys = (await env.PENDING_AUTHORIZATIONS.list({ prefix: 'oauth1:' })).keys.map((key) => key.name)
    const requestToken = callbackUrl.searchParams.get('oauth_token') ?? ''
    expect(keys.some((key) => key.includes(requestToken))).toBe(false)
    const hash = await sha256Base64Url(requestToken)
    const record = await env.PENDING_AUTHORIZATIONS.get<Record<string, unknown>>(`oauth1:${hash}`, 'json')
    expect(record).toMatchObject({ kind: 'oauth1', connectorKey: CONNECTOR_KEY, tenant: started.tenant })
    expect(JSON.stringify(record)).not.toContain(requestToken)
    await env.PENDING_AUTHORIZATIONS.put(`oauth1:${hash}`, JSON.stringify({ ...record, expiresAt: Date.now() - 1 }))
    await expectRefusedBeforeTokenRequest(provider, await started.browser.get(callbackUrl), 'state_expired')
  })

  it('S23 an unknown request token, or none, is refused', async () => {
    const provider = new OAuth1Provider()
    const started = await start(provider)
    const callbackUrl = await authorize(started)
    const forged = new URL(callbackUrl)
    forged.searchParams.set('oauth_token', 'rt_forged')
    await expectRefusedBeforeTokenRequest(provider, await started.browser.get(forged), 'state_unknown')
    const duplicated = `${callbackUrl.toString()}&oauth_verifier=other`
    await expectRefusedBeforeTokenRequest(provider, await started.browser.get(duplicated), 'duplicate_parameter')
    // The refusals did not spend the flow.
    expect(returnedTo(await started.browser.get(callbackUrl)).searchParams.get('status')).toBe('connected')
  })

  it('S23 a callback without oauth_verifier ends the flow as failed, without a token request', async () => {
    const provider = new OAuth1Provider()
    const started = await start(provider)
    const callbackUrl = await authorize(started)
    callbackUrl.searchParams.delete('oauth_verifier')
    const location = returnedTo(await started.browser.get(callbackUrl))
    expect(location.searchParams.get('error')).toBe('code_missing')
    expect(await provider.count('/access_token')).toBe(0)
  })

  it('S23 a denied authorization ends the flow with provider_denied and spends the request token', async () => {
    const provider = new OAuth1Provider()
    await provider.configure({ deny: true })
    const started = await start(provider)
    const callbackUrl = await authorize(started)
    expect(callbackUrl.searchParams.has('denied')).toBe(true)
    const cookies = started.browser.cookies()
    const location = returnedTo(await started.browser.get(callbackUrl))
    expect(location.searchParams.get('error')).toBe('provider_denied')
    expect(location.searchParams.get('provider_error')).toBe('access_denied')
    expect(await provider.count('/access_token')).toBe(0)
    for (const [name, value] of cookies) started.browser.setCookie(name, value)
    await expectRefusedBeforeTokenRequest(provider, await started.browser.get(callbackUrl), 'state_reused')
  })

  it('S23 a request token refused by the provider stops the start with token_exchange_failed, quoting no secret', async () => {
    const provider = new OAuth1Provider()
    await provider.configure({ callbackConfirmed: false })
    const browser = new Browser()
    const url = await connectUrlFor(CONNECTOR_KEY, { sub: newTenant(), input: { scenario: provider.id }, return_url: RETURN_URL })
    const response = await browser.get(url)
    expect(response.status).toBe(502)
    expect(await errorCodeOf(response)).toBe('token_exchange_failed')
    const page = await response.text()
    expect(page).not.toContain('rts_')
    expect(page).not.toContain('rt_')
  })

  it('S21 with the user verifier on, an OAuth 1.0a start is refused before any request token', async () => {
    const provider = new OAuth1Provider()
    const url = await connectUrlFor(CONNECTOR_KEY, { sub: newTenant(), input: { scenario: provider.id }, return_url: RETURN_URL })
    const response = await new Browser({ env: verifierEnv }).get(url)
    expect(response.status).toBe(400)
    expect(await errorCodeOf(response)).toBe('invalid_request')
    expect(await provider.count('/request_token')).toBe(0)
  })

  it('the callback clears the binding cookie of its flow', async () => {
    const provider = new OAuth1Provider()
    const started = await start(provider)
    const callbackUrl = await authorize(started)
    expect(started.browser.cookies().size).toBe(1)
    await started.browser.get(callbackUrl)
    expect(started.browser.cookies().size).toBe(0)
  })
})

async function sha256Base64Url(value: string): Promise<string> {
  const bytes = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(value)))
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

/** Opens `url` in `browser`; returns where Latchkey sent it (the provider's authorize URL, a request token obtained). */
async function startFrom(url: string, browser: Browser, tenant: string): Promise<Started> {
  const response = await browser.get(url)
  expect(response.status, await response.clone().text()).toBe(302)
  return { browser, authorizeUrl: new URL(response.headers.get('Location') ?? ''), tenant }
}

describe('S15 one-time connect URLs with OAuth 1.0a: claimed at the callback', () => {
  it('S15 two browsers start flows from one URL and complete both: one connection, the second refused before any access-token request', async () => {
    const provider = new OAuth1Provider()
    const tenant = newTenant()
    const url = await connectUrlFor(CONNECTOR_KEY, { sub: tenant, input: { scenario: provider.id }, return_url: RETURN_URL, jti: crypto.randomUUID() })
    const first = await startFrom(url, new Browser(), tenant)
    const second = await startFrom(url, new Browser(), tenant)
    // The request tokens are the provider's business: the single use is enforced at the callback.
    expect(await provider.count('/request_token')).toBe(2)
    const firstCallback = await authorize(first)
    const secondCallback = await authorize(second)

    expect(returnedTo(await first.browser.get(firstCallback)).searchParams.get('status')).toBe('connected')
    const refused = await second.browser.get(secondCallback)
    expect(refused.status).toBe(401)
    expect(await errorCodeOf(refused)).toBe('invalid_connect_token')
    expect(await provider.count('/access_token')).toBe(1)
  })
})

describe('S2 S23 an OAuth 1.0a callback that misses the pending record in KV', () => {
  /** Starts with a browser that waits for the Worker's background work (the guard copy), and authorizes. */
  async function startedWithCopy(provider: OAuth1Provider): Promise<{ browser: Browser; callbackUrl: URL; key: string }> {
    const tenant = newTenant()
    const browser = new Browser({ env })
    const url = await connectUrlFor(CONNECTOR_KEY, { sub: tenant, input: { scenario: provider.id }, return_url: RETURN_URL, jti: crypto.randomUUID() })
    const started = await startFrom(url, browser, tenant)
    // The provider needs no cookies; a browser with `env` would send it to the Worker.
    const callbackUrl = await authorize({ ...started, browser: new Browser() })
    return { browser, callbackUrl, key: `oauth1:${await sha256Base64Url(callbackUrl.searchParams.get('oauth_token') ?? '')}` }
  }

  it('S2 S23 completes from the guard copy when the KV entry is gone', async () => {
    const provider = new OAuth1Provider()
    const { browser, callbackUrl, key } = await startedWithCopy(provider)
    expect(await env.PENDING_AUTHORIZATIONS.get(key)).not.toBeNull()
    await env.PENDING_AUTHORIZATIONS.delete(key)
    expect(returnedTo(await browser.get(callbackUrl)).searchParams.get('status')).toBe('connected')
    expect(await provider.count('/access_token')).toBe(1)
  })

  it('S2 S23 a flow in neither KV nor the guard is state_unknown, before any access-token request', async () => {
    const provider = new OAuth1Provider()
    const { browser, callbackUrl, key } = await startedWithCopy(provider)
    await env.PENDING_AUTHORIZATIONS.delete(key)
    await env.AUTHORIZATION_STATE_GUARDS.get(env.AUTHORIZATION_STATE_GUARDS.idFromName(stateGuardName('pending-record', key))).forgetRecord(key)
    await expectRefusedBeforeTokenRequest(provider, await browser.get(callbackUrl), 'state_unknown')
  })
})
