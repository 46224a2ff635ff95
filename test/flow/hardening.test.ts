import { env, SELF } from 'cloudflare:test'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { Browser, LATCHKEY_ORIGIN } from '../support/browser.ts'
import { callbackFromUrl, flowUpToCallback, RETURN_URL, resultPageAfter } from '../support/connect-flow.ts'
import { mintConnectToken } from '../support/connect-token.ts'
import { storedCredentials } from '../support/connections.ts'
import { errorCodeOf } from '../support/error-code.ts'
import { UpstreamScenario } from '../support/upstream.ts'

const CALLBACK = `${LATCHKEY_ORIGIN}/oauth/callback`
const CLIENT_SECRET = 'se:cr&t+ va%lue'

afterEach(() => {
  vi.restoreAllMocks()
})

async function connectWithKey(key: string): Promise<Response> {
  const token = await mintConnectToken({ sub: 'tenant-1', input: { scenario: 'fuzz' } })
  return new Browser().get(`${LATCHKEY_ORIGIN}/connect/${key}?token=${token}`)
}

describe('S18 bad input gets a 4xx with a stable code', () => {
  it.each([
    ['an oversized query string', `${CALLBACK}?state=${'a'.repeat(9000)}`, 'invalid_request'],
    ['a malformed percent-encoding', `${CALLBACK}?state=%zz&code=x`, 'invalid_request'],
    ['too many parameters', `${CALLBACK}?${Array.from({ length: 60 }, (_, index) => `p${index}=1`).join('&')}`, 'invalid_request'],
    ['a state of the wrong shape', `${CALLBACK}?state=../../etc/passwd&code=x`, 'state_unknown'],
    ['a long state', `${CALLBACK}?state=${'A'.repeat(4000)}&code=x`, 'state_unknown'],
    ['a state with a NUL byte', `${CALLBACK}?state=${'A'.repeat(42)}%00&code=x`, 'state_unknown'],
    ['a unicode state', `${CALLBACK}?state=%E2%98%83${'A'.repeat(40)}&code=x`, 'state_unknown'],
    ['an empty state', `${CALLBACK}?state=&code=x`, 'state_missing'],
    ['a duplicated token on the connect route', `${LATCHKEY_ORIGIN}/connect/test-oauth?token=a&token=b`, 'duplicate_parameter'],
    ['an oversized connect token', `${LATCHKEY_ORIGIN}/connect/test-oauth?token=${'a'.repeat(8100)}`, 'invalid_connect_token'],
  ])('callback or connect route with %s', async (_case, url, code) => {
    const response = await new Browser().get(url)
    expect(response.status).toBeGreaterThanOrEqual(400)
    expect(response.status).toBeLessThan(500)
    expect(await errorCodeOf(response)).toBe(code)
  })

  it.each([
    ['path traversal', '..%2F..%2Fetc'],
    ['upper case', 'GitHub'],
    ['a very long key', 'a'.repeat(300)],
    ['unicode', '%E2%98%83'],
    ['__proto__', '__proto__'],
    ['an inherited property name', 'constructor'],
    ['a malformed escape', '%E0%A4%A'],
  ])('connector key with %s', async (_case, key) => {
    const response = await connectWithKey(key)
    expect(response.status).toBe(404)
    expect(await errorCodeOf(response)).toBe('connector_not_found')
  })

  it.each([
    ['input that is an array', { input: ['x'] }, 'invalid_connect_token'],
    ['a mode that does not exist', { mode: 'iframe' }, 'invalid_connect_token'],
    ['a malformed connection_id', { connection_id: 'conn_../../x' }, 'invalid_connect_token'],
    ['a return_url that is not a string', { return_url: 42 }, 'invalid_connect_token'],
    ['a javascript: return_url', { return_url: 'javascript:alert(1)' }, 'return_url_not_allowed'],
    ['a sub that is too long', { sub: 'x'.repeat(300) }, 'invalid_connect_token'],
    ['oversized connection input', { input: { scenario: 'x', blob: 'y'.repeat(4500) } }, 'invalid_connection_input'],
  ])('connect token with %s', async (_case, claims, code) => {
    const token = await mintConnectToken({ sub: 'tenant-1', input: { scenario: 'fuzz' }, ...(claims as Record<string, unknown>) })
    const response = await new Browser().get(`${LATCHKEY_ORIGIN}/connect/test-oauth?token=${token}`)
    expect(response.status).toBeGreaterThanOrEqual(400)
    expect(response.status).toBeLessThan(500)
    expect(await errorCodeOf(response)).toBe(code)
  })

  it.each([
    ['an oversized Cookie header', (cookie: string) => `${cookie}; filler=${'x'.repeat(9000)}`],
    ['a malformed Cookie header', () => ';;;==;=;__Host-latchkey-flow-=;'],
    ['a binding value of the wrong shape', (cookie: string) => cookie.replace(/=.*/, '=<script>')],
  ])('callback with %s is refused before any token request', async (_case, cookieOf) => {
    const scenario = new UpstreamScenario()
    const browser = new Browser()
    const callbackUrl = await flowUpToCallback(browser, scenario)
    const cookie = cookieOf(browser.cookieHeader())
    browser.clearCookies()
    const response = await browser.get(callbackUrl, { Cookie: cookie })
    expect(await errorCodeOf(response)).toBe('state_browser_mismatch')
    expect(await scenario.count('/token')).toBe(0)
  })

  it.each([
    ['not JSON', 'not json'],
    ['an empty object', '{}'],
    ['a record of another version', JSON.stringify({ version: 2 })],
  ])('a corrupt pending record (%s) is an unknown state, not a crash', async (_case, stored) => {
    const scenario = new UpstreamScenario()
    const browser = new Browser()
    const callbackUrl = await flowUpToCallback(browser, scenario)
    await env.PENDING_AUTHORIZATIONS.put(`state:${callbackUrl.searchParams.get('state')}`, stored)
    expect(await errorCodeOf(await browser.get(callbackUrl))).toBe('state_unknown')
    expect(await scenario.count('/token')).toBe(0)
  })

  it('an unknown route is a 404 page with a stable code', async () => {
    const response = await new Browser().get(`${LATCHKEY_ORIGIN}/nope/${'x'.repeat(500)}`)
    expect(response.status).toBe(404)
    expect(await errorCodeOf(response)).toBe('route_not_found')
  })
})

describe('S15 one-time connect URLs and HEAD', () => {
  it('S15 HEAD on a one-time connect URL is refused (405), starts nothing, and the URL then connects', async () => {
    const scenario = new UpstreamScenario()
    const { url } = await env.LATCHKEY_SELF.createConnectUrl({ tenant: 'tenant-1', connectorKey: 'test-oauth', connectionInput: { scenario: scenario.id }, returnUrl: RETURN_URL })

    const probe = await SELF.fetch(url, { method: 'HEAD', redirect: 'manual' })
    expect(probe.status).toBe(405)
    expect(probe.headers.get('Allow')).toBe('GET')
    expect(probe.headers.get('Location')).toBeNull()
    expect(probe.headers.get('Set-Cookie')).toBeNull()

    const browser = new Browser()
    const callbackUrl = await callbackFromUrl(browser, url)
    expect(callbackUrl.origin).toBe(LATCHKEY_ORIGIN)
    const done = await browser.get(callbackUrl)
    expect(new URL(done.headers.get('Location') ?? '').searchParams.get('status')).toBe('connected')
  })

  it('S2 HEAD on the callback is refused (405) and does not spend the state', async () => {
    const scenario = new UpstreamScenario()
    const browser = new Browser()
    const callbackUrl = await flowUpToCallback(browser, scenario, { claims: { return_url: 'https://app.example.com/x' } })

    const probe = await SELF.fetch(callbackUrl.toString(), { method: 'HEAD', redirect: 'manual', headers: { Cookie: browser.cookieHeader() } })
    expect(probe.status).toBe(405)
    expect(await scenario.count('/token')).toBe(0)

    const response = await browser.get(callbackUrl)
    expect(new URL(response.headers.get('Location') ?? '').searchParams.get('status')).toBe('connected')
  })
})

describe('S18 connection input over RPC', () => {
  const cyclic: Record<string, unknown> = { scenario: 'fuzz' }
  cyclic['self'] = cyclic

  it.each([
    ['a cycle', cyclic],
    ['a BigInt', { scenario: 'fuzz', big: 10n }],
    ['over 4096 UTF-8 bytes in fewer characters', { scenario: 'fuzz', extra: { text: '\u20ac'.repeat(1400) } }],
  ])('S18 createConnectUrl with connection input holding %s answers invalid_connection_input', async (_case, connectionInput) => {
    const error = await env.LATCHKEY_SELF.createConnectUrl({ tenant: 'tenant-1', connectorKey: 'test-oauth-custom', connectionInput }).then(
      () => null,
      (thrown: unknown) => thrown,
    )
    expect(String(error)).toMatch(/^Error: \[latchkey:invalid_connection_input\] /)
  })
})

describe('S14 no route returns credentials', () => {
  it('S14 neither the flow nor any public route answers with a token', async () => {
    const scenario = new UpstreamScenario()
    const browser = new Browser()
    const callbackUrl = await flowUpToCallback(browser, scenario)
    const ending = await resultPageAfter(browser, await browser.get(callbackUrl))
    const endingPage = await ending.text()
    const connectionId = /conn_[a-z2-7]{26}/.exec(endingPage)?.[0] ?? ''
    const credentials = await storedCredentials(connectionId)
    const secrets = [String(credentials['access_token']), String(credentials['refresh_token'])]

    const bodies = [endingPage, JSON.stringify([...ending.headers])]
    const paths = ['/', '/health', `/connections/${connectionId}`, `/connect/test-oauth`, '/oauth/callback', '/oauth/done', `/api/${connectionId}`, '/oauth/token']
    for (const path of paths) {
      for (const method of ['GET', 'POST']) {
        const response = await SELF.fetch(`${LATCHKEY_ORIGIN}${path}`, { method, redirect: 'manual', headers: { Cookie: browser.cookieHeader() } })
        bodies.push(await response.text(), JSON.stringify([...response.headers]))
      }
    }
    for (const secret of secrets) for (const body of bodies) expect(body).not.toContain(secret)
  })
})

describe('S13 secrets stay out of logs, messages and URLs', () => {
  it('S13 an end-to-end run logs no token, code, verifier or client secret', async () => {
    const output: string[] = []
    for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
        output.push(args.map((arg) => (arg instanceof Error ? `${arg.message}\n${arg.stack}` : typeof arg === 'string' ? arg : JSON.stringify(arg))).join(' '))
      })
    }
    const visible: string[] = []
    const scenario = new UpstreamScenario()
    // A success, then failures that quote nothing: refused code, broken JSON, a failing connector test.
    await scenario.script('/token', [
      { status: 200, body: { access_token: 'at_leaked_if_seen', token_type: 'mac' } },
      { status: 400, body: { error: 'invalid_grant', error_description: 'code was at_leaked_if_seen' } },
    ])
    for (let run = 0; run < 3; run++) {
      const browser = new Browser()
      const callbackUrl = await flowUpToCallback(browser, scenario, { claims: { return_url: 'https://app.example.com/x' } })
      const response = await browser.get(callbackUrl)
      visible.push(response.headers.get('Location') ?? '', await response.text())
    }
    const issued = (await scenario.requestsTo('/token')).map((request) => new URLSearchParams(request.body))
    const log = await scenario.log()
    const secrets = ['at_leaked_if_seen', CLIENT_SECRET, encodeURIComponent(CLIENT_SECRET)]
    for (const form of issued) secrets.push(form.get('code') ?? '', form.get('code_verifier') ?? '')
    for (const request of log.requests) {
      const match = /"access_token":"([^"]+)"/.exec(request.body)
      if (match?.[1]) secrets.push(match[1])
    }
    expect(issued).toHaveLength(3)
    for (const secret of secrets.filter((value) => value !== '')) {
      for (const line of output) expect(line).not.toContain(secret)
      for (const text of visible) expect(text).not.toContain(secret)
    }
  })
})
