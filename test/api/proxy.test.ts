/**
 * `proxy` through the service binding against the real test upstream API: the connector's
 * authentication is applied, a 401 leads to one refresh and one retry, and nothing is sent
 * outside the connector's baseUri.
 */
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { LatchkeyClient } from '@latchkey/client'
import { storeConnection } from '../support/connections.ts'
import { clientErrorCodeOf } from '../support/error-code.ts'
import type { UpstreamScenario } from '../support/upstream.ts'

const latchkey = new LatchkeyClient(env.LATCHKEY_SELF)

describe('proxy', () => {
  it("sends the call under baseUri with the connector's headers and query", async () => {
    const connection = await storeConnection({ label: 'proxy-get', connectorKey: 'conn-custom-refresh' })

    const response = await latchkey.proxy(connection.tenant, connection.connectionId, { path: '/items?page=2', headers: { 'X-Trace': 'abc' } })

    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ ok: true, path: '/api/items' })
    const [request] = await connection.scenario.requestsTo('/api/items')
    expect(request?.headers).toMatchObject({ authorization: `Bearer ${connection.tokens.access_token}`, 'x-trace': 'abc' })
    expect(new URLSearchParams(request?.query)).toEqual(new URLSearchParams({ page: '2', client: 'latchkey' }))
  })

  it('applies a makeApiClient written in JavaScript', async () => {
    const connection = await storeConnection({ label: 'proxy-js-client', connectorKey: 'conn-refresh-mapped' })

    const response = await latchkey.proxy(connection.tenant, connection.connectionId, { path: '/me' })

    expect(response.status).toBe(200)
    const [request] = await connection.scenario.requestsTo('/api/me')
    expect(request?.headers).toMatchObject({ authorization: `Bearer ${connection.tokens.access_token}`, 'x-client': 'js' })
  })

  it('accepts a Request whose URL is under baseUri, with its method and body', async () => {
    const connection = await storeConnection({ label: 'proxy-request' })
    const request = new Request(`${connection.scenario.base}/api/notes`, { method: 'PUT', body: 'note body' })

    const response = await latchkey.proxy(connection.tenant, connection.connectionId, request)

    expect(await response.json()).toMatchObject({ method: 'PUT', path: '/api/notes' })
    const [logged] = await connection.scenario.requestsTo('/api/notes')
    expect(logged?.body).toBe('note body')
  })

  it('S12 a 401 from the API refreshes once and retries once, resending the body', async () => {
    const connection = await storeConnection({ label: 'proxy-401' })
    await connection.scenario.expireAccessTokens()

    const response = await latchkey.proxy(connection.tenant, connection.connectionId, { path: '/notes', method: 'POST', body: 'hello' })

    expect(response.status).toBe(200)
    expect(await connection.scenario.requestsTo('/token')).toHaveLength(1)
    const calls = await connection.scenario.requestsTo('/api/notes')
    expect(calls.map((call) => call.body)).toEqual(['hello', 'hello'])
    expect(calls[0]?.headers['authorization']).not.toBe(calls[1]?.headers['authorization'])
  })

  it('returns the second 401 as it is when the API still refuses after the refresh', async () => {
    const connection = await storeConnection({ label: 'proxy-401-twice' })
    await connection.scenario.script('/api/me', [{ status: 401 }, { status: 401, body: { error: 'still_refused' } }])

    const response = await latchkey.proxy(connection.tenant, connection.connectionId, { path: '/me' })

    expect(response.status).toBe(401)
    expect(await response.json()).toEqual({ error: 'still_refused' })
    expect(await connection.scenario.requestsTo('/token')).toHaveLength(1)
    expect(await connection.scenario.requestsTo('/api/me')).toHaveLength(2)
  })

  it('hands redirects back to the caller instead of following them with the credentials', async () => {
    const connection = await storeConnection({ label: 'proxy-redirect' })
    await connection.scenario.script('/api/moved', [{ status: 302, headers: { Location: 'https://elsewhere.example/steal' } }])

    const response = await latchkey.proxy(connection.tenant, connection.connectionId, { path: '/moved' })

    expect(response.status).toBe(302)
    expect(response.headers.get('Location')).toBe('https://elsewhere.example/steal')
  })

  it.each([
    { label: 'an absolute URL on another host', path: () => 'https://evil.example/collect' },
    { label: 'a protocol-relative URL', path: () => '//evil.example/collect' },
    { label: 'backslashes to another host', path: () => '\\\\evil.example/collect' },
    { label: 'dot segments leaving baseUri', path: () => '../token' },
    { label: 'encoded dot segments leaving baseUri', path: () => '%2e%2e/token' },
    { label: 'the same host outside baseUri', path: (scenario: UpstreamScenario) => `${scenario.base}/token` },
    { label: 'userinfo in the URL', path: (scenario: UpstreamScenario) => `http://user:pass@${new URL(scenario.base).host}/s/${scenario.id}/api/me` },
  ])('refuses $label with invalid_request and sends nothing', async ({ path }) => {
    const connection = await storeConnection({ label: 'proxy-refuse' })
    expect(await clientErrorCodeOf(() => latchkey.proxy(connection.tenant, connection.connectionId, { path: path(connection.scenario) }))).toBe('invalid_request')
    expect((await connection.scenario.log()).requests).toEqual([])
  })

  it('refuses a body larger than the proxy buffers', async () => {
    const connection = await storeConnection({ label: 'proxy-large' })
    const upload = { path: '/upload', method: 'POST', body: new Uint8Array(10 * 1024 * 1024 + 1) }
    expect(await clientErrorCodeOf(() => latchkey.proxy(connection.tenant, connection.connectionId, upload))).toBe('invalid_request')
  })
})
