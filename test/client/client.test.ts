/**
 * The client package (packages/client) against the real Latchkey through a real service
 * binding (LATCHKEY_SELF), and the real test upstream: the token cache and its documented
 * trade-off, and the direct proxy (`fetchApi`) calling the API from this isolate, refreshing
 * once after a 401, and going through `proxy` where only Latchkey can send the requests.
 */
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { LatchkeyClient, type LatchkeyRpc } from '@latchkey/client'
import { storeConnection } from '../support/connections.ts'
import { clientErrorCodeOf } from '../support/error-code.ts'

/** The service binding, counting the RPCs the client makes per method. */
function countingBinding(): { binding: LatchkeyRpc; rpcs: Record<string, number> } {
  const service = env.LATCHKEY_SELF as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>
  const rpcs: Record<string, number> = {}
  const binding = new Proxy({} as LatchkeyRpc, {
    get: (_target, method) => {
      if (typeof method !== 'string' || method === 'then') return undefined
      return (...args: unknown[]) => {
        rpcs[method] = (rpcs[method] ?? 0) + 1
        return service[method]?.(...args)
      }
    },
  })
  return { binding, rpcs }
}

describe('token cache over the service binding', () => {
  it('hands out the token Latchkey has, asking it once', async () => {
    const connection = await storeConnection({ label: 'client-token' })
    const { binding, rpcs } = countingBinding()
    const client = new LatchkeyClient(binding)
    const tokens = await Promise.all(Array.from({ length: 10 }, () => client.getAccessToken(connection.tenant, connection.connectionId)))
    expect(await client.getAccessToken(connection.tenant, connection.connectionId)).toEqual(tokens[0])
    expect(new Set(tokens.map((token) => token.accessToken))).toEqual(new Set([connection.tokens.access_token]))
    expect(rpcs).toEqual({ getAccessToken: 1 })
  })

  it("the trade-off: another isolate's disconnect is seen only once the TTL has passed (here: after evict), a TTL of 0 sees it at once", async () => {
    const connection = await storeConnection({ label: 'client-disconnected' })
    const cached = new LatchkeyClient(env.LATCHKEY_SELF)
    const uncached = new LatchkeyClient(env.LATCHKEY_SELF, { cacheTtlMs: 0 })
    const token = await cached.getAccessToken(connection.tenant, connection.connectionId)
    // Another isolate's client disconnects the connection.
    await new LatchkeyClient(env.LATCHKEY_SELF).disconnect(connection.tenant, connection.connectionId)

    expect(await cached.getAccessToken(connection.tenant, connection.connectionId)).toEqual(token)
    expect(await clientErrorCodeOf(() => uncached.getAccessToken(connection.tenant, connection.connectionId))).toBe('connection_not_found')
    cached.evict(connection.tenant, connection.connectionId)
    expect(await clientErrorCodeOf(() => cached.getAccessToken(connection.tenant, connection.connectionId))).toBe('connection_not_found')
  })

  it('forceRefresh refreshes at Latchkey and replaces the cached token', async () => {
    const connection = await storeConnection({ label: 'client-force' })
    const client = new LatchkeyClient(env.LATCHKEY_SELF)
    const before = await client.getAccessToken(connection.tenant, connection.connectionId)
    const forced = await client.getAccessToken(connection.tenant, connection.connectionId, { forceRefresh: true })
    expect(forced.accessToken).not.toBe(before.accessToken)
    expect(await client.getAccessToken(connection.tenant, connection.connectionId)).toEqual(forced)
    expect(await connection.scenario.count('/token')).toBe(1)
  })
})

describe('direct proxy over the service binding: fetchApi', () => {
  it("calls the API from this isolate with the connector's headers and query; one configuration RPC, no proxy hop", async () => {
    const connection = await storeConnection({ label: 'client-direct', connectorKey: 'conn-custom-refresh' })
    const { binding, rpcs } = countingBinding()
    const client = new LatchkeyClient(binding)

    const response = await client.fetchApi(connection.tenant, connection.connectionId, { path: '/items?page=2', headers: { 'X-Trace': 'abc' } })
    await client.fetchApi(connection.tenant, connection.connectionId, { path: '/items?page=3' })

    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ ok: true, path: '/api/items' })
    const [first] = await connection.scenario.requestsTo('/api/items')
    expect(first?.headers).toMatchObject({ authorization: `Bearer ${connection.tokens.access_token}`, 'x-trace': 'abc' })
    expect(new URLSearchParams(first?.query)).toEqual(new URLSearchParams({ page: '2', client: 'latchkey' }))
    expect(rpcs).toEqual({ getApiClientConfig: 1 })
  })

  it('S12 a 401 makes Latchkey refresh once, and the call is retried once with the new token, body and all', async () => {
    const connection = await storeConnection({ label: 'client-direct-401' })
    const { binding, rpcs } = countingBinding()
    const client = new LatchkeyClient(binding)
    await client.fetchApi(connection.tenant, connection.connectionId, { path: '/warm' })
    await connection.scenario.expireAccessTokens()

    const response = await client.fetchApi(connection.tenant, connection.connectionId, { path: '/notes', method: 'POST', body: 'hello' })

    expect(response.status).toBe(200)
    expect(await connection.scenario.count('/token')).toBe(1)
    const calls = await connection.scenario.requestsTo('/api/notes')
    expect(calls.map((call) => call.body)).toEqual(['hello', 'hello'])
    expect(calls[0]?.headers['authorization']).not.toBe(calls[1]?.headers['authorization'])
    expect(rpcs).toEqual({ getApiClientConfig: 1, refreshApiClientConfig: 1 })
  })

  it('S12 a storm of 401s in this isolate makes one refresh RPC and one token request', async () => {
    const connection = await storeConnection({ label: 'client-direct-storm' })
    const { binding, rpcs } = countingBinding()
    const client = new LatchkeyClient(binding)
    await client.fetchApi(connection.tenant, connection.connectionId, { path: '/warm' })
    await connection.scenario.expireAccessTokens()

    const responses = await Promise.all(Array.from({ length: 20 }, () => client.fetchApi(connection.tenant, connection.connectionId, { path: '/me' })))

    expect(responses.map((response) => response.status)).toEqual(Array(20).fill(200))
    expect(await connection.scenario.count('/token')).toBe(1)
    expect(rpcs['refreshApiClientConfig']).toBe(1)
  })

  it('refuses a path that leaves baseUri before anything is sent', async () => {
    const connection = await storeConnection({ label: 'client-direct-refused' })
    const client = new LatchkeyClient(env.LATCHKEY_SELF)
    const { base, id } = connection.scenario
    for (const path of [
      'https://evil.example/collect',
      '//evil.example/collect',
      '../token',
      '%2e%2e/token',
      `${base}/token`,
      `http://user:pass@${new URL(base).host}/s/${id}/api/me`,
    ]) {
      expect(await clientErrorCodeOf(() => client.fetchApi(connection.tenant, connection.connectionId, { path }))).toBe('invalid_request')
    }
    expect((await connection.scenario.log()).requests).toEqual([])
  })

  it('sends through proxy when the connector evaluates response handlers (direct: false)', async () => {
    const connection = await storeConnection({ label: 'client-direct-handlers', connectorKey: 'test-api-client' })
    const { binding, rpcs } = countingBinding()
    const client = new LatchkeyClient(binding)

    const response = await client.fetchApi(connection.tenant, connection.connectionId, { path: '/me' })
    await client.fetchApi(connection.tenant, connection.connectionId, { path: '/me' })

    expect(response.status).toBe(200)
    expect(rpcs).toEqual({ getApiClientConfig: 1, proxy: 2 })
  })

  it('a connection of another tenant is connection_not_found, as everywhere', async () => {
    const connection = await storeConnection({ label: 'client-direct-tenant' })
    const client = new LatchkeyClient(env.LATCHKEY_SELF)
    expect(await clientErrorCodeOf(() => client.fetchApi('someone-else', connection.connectionId, { path: '/me' }))).toBe('connection_not_found')
  })
})
