import { env } from 'cloudflare:test'
import { exportJWK, generateKeyPair } from 'jose'
import { describe, expect, it } from 'vitest'
import { createConnectUrl } from '../../src/flow/connect-url.ts'
import { Browser, LATCHKEY_ORIGIN } from '../support/browser.ts'
import { authorizeAtUpstream, callbackFromUrl } from '../support/connect-flow.ts'
import { base64UrlJson, mintConnectToken, signToken, unsignedToken } from '../support/connect-token.ts'
import { errorCodeOf } from '../support/error-code.ts'
import { UpstreamScenario } from '../support/upstream.ts'

const now = (): number => Math.floor(Date.now() / 1000)

async function visit(token: string, connectorKey = 'test-oauth'): Promise<Response> {
  return new Browser().get(`${LATCHKEY_ORIGIN}/connect/${connectorKey}?token=${encodeURIComponent(token)}`)
}

async function expectRefused(response: Response, code = 'invalid_connect_token'): Promise<void> {
  expect(response.status).toBe(code === 'invalid_connect_token' ? 401 : 400)
  expect(await errorCodeOf(response)).toBe(code)
  expect(response.headers.get('Set-Cookie')).toBeNull()
}

describe('connect tokens (S15)', () => {
  const claims = (scenario: UpstreamScenario): { sub: string; input: Record<string, unknown> } => ({ sub: 'tenant-1', input: { scenario: scenario.id } })

  it('S15 a token minted with the secret starts the flow', async () => {
    const response = await visit(await mintConnectToken(claims(new UpstreamScenario())))
    expect(response.status).toBe(302)
  })

  it('S15 a forged token (wrong secret) is refused', async () => {
    await expectRefused(await visit(await mintConnectToken(claims(new UpstreamScenario()), 'another-secret-of-sufficient-length-000000')))
  })

  it('S15 an expired token is refused', async () => {
    await expectRefused(await visit(await mintConnectToken({ ...claims(new UpstreamScenario()), exp: now() - 120 })))
  })

  it('S15 a token without exp is refused', async () => {
    await expectRefused(await visit(await signToken({}, claims(new UpstreamScenario()))))
  })

  it('S15 a token that expires more than an hour ahead is refused', async () => {
    await expectRefused(await visit(await mintConnectToken({ ...claims(new UpstreamScenario()), exp: now() + 2 * 3600 })))
  })

  it('S15 a token without sub is refused', async () => {
    const { sub: _sub, ...rest } = claims(new UpstreamScenario())
    await expectRefused(await visit(await mintConnectToken(rest)))
  })

  it('S15 an alg none token is refused', async () => {
    await expectRefused(await visit(unsignedToken({ ...claims(new UpstreamScenario()), exp: now() + 600 })))
  })

  it('S15 HS-RS confusion: an HS256 token keyed with a public key, and an RS256 token, are refused', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true })
    const publicJwk = JSON.stringify(await exportJWK(publicKey))
    const hsWithPublicKey = await mintConnectToken(claims(new UpstreamScenario()), publicJwk)
    await expectRefused(await visit(hsWithPublicKey))
    const rs256 = await signToken({ alg: 'RS256' }, { ...claims(new UpstreamScenario()), exp: now() + 600 }, privateKey)
    await expectRefused(await visit(rs256))
  })

  it('S15 a token with a tampered payload is refused', async () => {
    const token = await mintConnectToken(claims(new UpstreamScenario()))
    const [header, , signature] = token.split('.')
    const tampered = `${header}.${base64UrlJson({ sub: 'someone-else', exp: now() + 600 })}.${signature}`
    await expectRefused(await visit(tampered))
  })

  it.each([
    ['missing', `${LATCHKEY_ORIGIN}/connect/test-oauth`],
    ['empty', `${LATCHKEY_ORIGIN}/connect/test-oauth?token=`],
    ['garbage', `${LATCHKEY_ORIGIN}/connect/test-oauth?token=not.a.jwt`],
  ])('S15 a %s token is refused', async (_case, url) => {
    await expectRefused(await new Browser().get(url))
  })

  it('S15 a token restricted to another connector is refused', async () => {
    await expectRefused(await visit(await mintConnectToken({ ...claims(new UpstreamScenario()), connector: 'test-oauth-custom' })))
  })

  it('S15 a token with a jti yields one connection: it starts flows until one completes, then their completions are refused', async () => {
    const scenario = new UpstreamScenario()
    const token = await mintConnectToken({ ...claims(scenario), return_url: 'https://app.example.com/back', jti: crypto.randomUUID() })
    const first = new Browser()
    const firstCallback = await callbackFromUrl(first, `${LATCHKEY_ORIGIN}/connect/test-oauth?token=${token}`)
    expect(new URL((await first.get(firstCallback)).headers.get('Location') ?? '').searchParams.get('status')).toBe('connected')

    const again = new Browser()
    const refused = await again.get(await callbackFromUrl(again, `${LATCHKEY_ORIGIN}/connect/test-oauth?token=${token}`))
    expect(refused.status).toBe(401)
    expect(await errorCodeOf(refused)).toBe('invalid_connect_token')
    expect(await scenario.count('/token')).toBe(1)
  })
})

describe('createConnectUrl', () => {
  it('returns a one-time URL that starts the flow for the tenant, with the input and return URL', async () => {
    const scenario = new UpstreamScenario()
    const before = Date.now()
    const { url, expiresAt } = await createConnectUrl(env, {
      tenant: 'tenant-rpc',
      connectorKey: 'test-oauth',
      connectionInput: { scenario: scenario.id },
      returnUrl: 'https://app.example.com/back',
    })
    expect(url.startsWith(`${LATCHKEY_ORIGIN}/connect/test-oauth?token=`)).toBe(true)
    expect(expiresAt).toBeGreaterThan(before)
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 10 * 60_000)

    const browser = new Browser()
    const start = await browser.get(url)
    expect(start.status).toBe(302)
    const done = await browser.get(await authorizeAtUpstream(browser, new URL(start.headers.get('Location') ?? '')))
    const location = new URL(done.headers.get('Location') ?? '')
    expect(`${location.origin}${location.pathname}`).toBe('https://app.example.com/back')
    expect(location.searchParams.get('status')).toBe('connected')

    // S15: single use, claimed at completion: later visits start flows, but none of them connects.
    const again = [new Browser(), new Browser()]
    const callbacks = await Promise.all(again.map((other) => callbackFromUrl(other, url)))
    const refused = await Promise.all(again.map((other, index) => other.get(callbacks[index] ?? '')))
    for (const response of refused) {
      expect(response.status).toBe(401)
      expect(await errorCodeOf(response)).toBe('invalid_connect_token')
    }
    expect(await scenario.count('/token')).toBe(1)
  })

  it('S15 concurrent visits of one URL all start a flow (nothing is claimed at start)', async () => {
    const { url } = await createConnectUrl(env, { tenant: 't', connectorKey: 'test-oauth', connectionInput: { scenario: new UpstreamScenario().id } })
    const responses = await Promise.all([1, 2, 3, 4].map(() => new Browser().get(url)))
    expect(responses.map((response) => response.status)).toEqual([302, 302, 302, 302])
  })

  it.each([
    ['an unknown connector', { tenant: 't', connectorKey: 'nope' }, 'connector_not_found'],
    ['a malformed connector key', { tenant: 't', connectorKey: '../x' }, 'connector_not_found'],
    ['invalid connection input', { tenant: 't', connectorKey: 'test-oauth', connectionInput: { scenario: 1 } }, 'invalid_connection_input'],
    [
      'a return URL on another origin',
      { tenant: 't', connectorKey: 'test-oauth', connectionInput: { scenario: 's' }, returnUrl: 'https://evil.example/' },
      'return_url_not_allowed',
    ],
    ['an empty tenant', { tenant: '', connectorKey: 'test-oauth', connectionInput: { scenario: 's' } }, 'invalid_request'],
    ['a malformed connection id', { tenant: 't', connectorKey: 'test-oauth', connectionInput: { scenario: 's' }, connectionId: 'conn_x' }, 'invalid_request'],
    ['popup mode without a return URL', { tenant: 't', connectorKey: 'test-oauth', connectionInput: { scenario: 's' }, mode: 'popup' as const }, 'invalid_request'],
  ])('refuses %s up front', async (_case, options, code) => {
    expect(await errorCodeOf(() => createConnectUrl(env, options))).toBe(code)
  })
})
