/**
 * `/v1/connections/{id}/proxy/{path}` against the real test upstream: the same proxy as RPC
 * callers get (baseUri only, 401 refresh and retry), and nothing of the call to Latchkey
 * (API key, tenant header, cookies) reaches the provider.
 */
import { describe, expect, it } from 'vitest'
import { storeConnection } from '../support/connections.ts'
import { TEST_API_KEYS } from './api-key-fixtures.ts'
import { callApi, problemOf } from './api-call.ts'

const key = TEST_API_KEYS.all.key

describe('the HTTP proxy', () => {
  it("S24 sends the call under baseUri with the connector's authentication, and none of the caller's credentials", async () => {
    const connection = await storeConnection({ label: 'http-proxy-get', connectorKey: 'conn-custom-refresh' })

    const response = await callApi('GET', `/v1/connections/${connection.connectionId}/proxy/items/a%20b?page=2`, {
      key,
      tenant: connection.tenant,
      headers: { 'X-Trace': 'abc', Cookie: 'latchkey_session=secret-cookie', 'X-Forwarded-For': '203.0.113.9' },
    })

    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ ok: true, method: 'GET', path: '/api/items/a%20b' })
    expect(response.headers.get('Cache-Control')).toBe('no-store')
    const [request] = await connection.scenario.requestsTo('/api/items/a%20b')
    expect(request?.headers).toMatchObject({ authorization: `Bearer ${connection.tokens.access_token}`, 'x-trace': 'abc' })
    expect(new URLSearchParams(request?.query)).toEqual(new URLSearchParams({ page: '2', client: 'latchkey' }))
    const sent = JSON.stringify(request)
    for (const leaked of [TEST_API_KEYS.all.secret, connection.tenant, 'secret-cookie', '203.0.113.9']) expect(sent).not.toContain(leaked)
    expect(Object.keys(request?.headers ?? {})).not.toContain('latchkey-tenant')
  })

  it('S12 forwards method and body, and a 401 from the API refreshes once and retries once with the body', async () => {
    const connection = await storeConnection({ label: 'http-proxy-401' })
    await connection.scenario.expireAccessTokens()

    const response = await callApi('POST', `/v1/connections/${connection.connectionId}/proxy/notes`, {
      key,
      tenant: connection.tenant,
      body: 'hello',
      headers: { 'Content-Type': 'text/plain' },
    })

    expect(response.status).toBe(200)
    expect(await connection.scenario.requestsTo('/token')).toHaveLength(1)
    const calls = await connection.scenario.requestsTo('/api/notes')
    expect(calls.map((call) => [call.method, call.body, call.headers['content-type']])).toEqual([
      ['POST', 'hello', 'text/plain'],
      ['POST', 'hello', 'text/plain'],
    ])
  })

  it("hands back the provider's status, headers and body, without its cookies", async () => {
    const connection = await storeConnection({ label: 'http-proxy-answer' })
    await connection.scenario.script('/api/missing', [{ status: 404, headers: { 'X-Request-Id': 'r-1', 'Set-Cookie': 'provider=1; Path=/' }, body: { error: 'nope' } }])

    const response = await callApi('GET', `/v1/connections/${connection.connectionId}/proxy/missing`, { key, tenant: connection.tenant })

    expect(response.status).toBe(404)
    expect(response.headers.get('X-Request-Id')).toBe('r-1')
    expect(response.headers.get('Set-Cookie')).toBeNull()
    expect(await response.json()).toEqual({ error: 'nope' })
  })

  it('keeps every path under baseUri: dot segments are resolved before routing, an encoded slash stays inside its segment', async () => {
    const connection = await storeConnection({ label: 'http-proxy-escape' })
    const { connectionId, tenant } = connection

    const dotted = await callApi('GET', `/v1/connections/${connectionId}/proxy/%2e%2e/%2e%2e/%2e%2e/token`, { key, tenant })
    expect((await problemOf(dotted, 404)).code).toBe('route_not_found')
    const encoded = await callApi('GET', `/v1/connections/${connectionId}/proxy/..%2Ftoken`, { key, tenant })
    await encoded.arrayBuffer()

    expect((await connection.scenario.log()).requests.map((request) => request.path)).toEqual(['/api/..%2Ftoken'])
  })

  it('forwards any method, not only the common ones', async () => {
    const connection = await storeConnection({ label: 'http-proxy-method' })
    const response = await callApi('PROPFIND', `/v1/connections/${connection.connectionId}/proxy/files`, { key, tenant: connection.tenant })
    expect(await response.json()).toMatchObject({ ok: true, method: 'PROPFIND', path: '/api/files' })
  })
})
