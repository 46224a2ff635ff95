/**
 * The client's direct proxy (`fetchApi`, packages/client): the API is called from the
 * caller's isolate with a cached API client configuration; the path rules of Latchkey's proxy
 * apply before sending; a 401 asks Latchkey to refresh that version (one RPC for concurrent
 * 401s) and retries once; connectors the caller cannot call itself go through `proxy`.
 * Against a fake binding, a fake fetch and a manual clock: nothing here waits for time.
 */
import { describe, expect, it } from 'vitest'
import { LatchkeyClient, type LatchkeyClientOptions } from '@latchkey/client'
import { FakeLatchkey, ManualClock, directConfig, rpcError, settle } from './fake-latchkey.ts'

/** A fake API: records each request (body read) and answers with `respond`. */
class FakeApi {
  readonly requests: Array<{ url: string; method: string; headers: Record<string, string>; body: string | null; redirect: string }> = []
  respond: (request: Request) => Response | Promise<Response> = () => Response.json({ ok: true })

  readonly fetch = async (request: Request): Promise<Response> => {
    this.requests.push({
      url: request.url,
      method: request.method,
      headers: Object.fromEntries(request.headers),
      body: request.body === null ? null : await request.text(),
      redirect: request.redirect,
    })
    return this.respond(request)
  }
}

function setUp(options: LatchkeyClientOptions = {}) {
  const clock = new ManualClock()
  const latchkey = new FakeLatchkey()
  const api = new FakeApi()
  let version = 1
  latchkey.autoAnswer('getApiClientConfig', () => directConfig(`v${version}`))
  latchkey.autoAnswer('refreshApiClientConfig', () => directConfig(`v${++version}`))
  const client = new LatchkeyClient(latchkey.binding, { now: clock.now, fetch: api.fetch, ...options })
  return { clock, latchkey, api, client }
}

/** Answers 401 to the credentials of `rejected` versions, 200 otherwise. */
function rejecting(...rejected: string[]): (request: Request) => Response {
  return (request) => {
    const version = /token-(v\d+)/.exec(request.headers.get('Authorization') ?? '')?.[1] ?? ''
    return rejected.includes(version) ? new Response('expired', { status: 401 }) : Response.json({ ok: true, version })
  }
}

describe('direct proxy: fetchApi', () => {
  it("sends the call itself under baseUri, with the configuration's headers and query winning over the caller's", async () => {
    const { client, api, latchkey } = setUp()
    const response = await client.fetchApi('tenant-a', 'conn-1', {
      path: '/items?page=2&client=caller',
      method: 'POST',
      headers: { Authorization: 'Bearer caller-token', 'X-Trace': 'abc', Host: 'evil.example' },
      body: 'hello',
    })
    expect(response.status).toBe(200)
    expect(api.requests).toEqual([
      {
        url: 'https://api.example.com/v2/items?page=2&client=latchkey',
        method: 'POST',
        headers: { authorization: 'Bearer token-v1', 'x-trace': 'abc' },
        body: 'hello',
        redirect: 'manual',
      },
    ])
    expect(latchkey.calls.map((call) => call.method)).toEqual(['getApiClientConfig'])
    expect(latchkey.calls[0]?.args).toEqual(['tenant-a', 'conn-1'])
  })

  it('accepts a Request whose URL is under baseUri', async () => {
    const { client, api } = setUp()
    await client.fetchApi('tenant-a', 'conn-1', new Request('https://api.example.com/v2/notes/7', { method: 'DELETE' }))
    expect(api.requests[0]).toMatchObject({ url: 'https://api.example.com/v2/notes/7?client=latchkey', method: 'DELETE' })
  })

  it.each([
    ['another host', '//evil.example/x'],
    ['an absolute URL elsewhere', 'https://evil.example/v2/x'],
    ['dot segments leaving baseUri', '/../admin'],
    ['userinfo', 'https://user:pass@api.example.com/v2/x'],
  ])('refuses %s before anything is sent (invalid_request)', async (_name, path) => {
    const { client, api, latchkey } = setUp()
    await expect(client.fetchApi('tenant-a', 'conn-1', { path })).rejects.toMatchObject({ name: 'LatchkeyClientError', code: 'invalid_request' })
    expect(api.requests).toEqual([])
    expect(latchkey.callsOf('proxy')).toEqual([])
  })

  it('refuses a malformed call before asking Latchkey anything', async () => {
    const { client, api, latchkey } = setUp()
    await expect(client.fetchApi('tenant-a', 'conn-1', { path: '/x', method: 'TRACE' })).rejects.toMatchObject({ code: 'invalid_request' })
    expect(latchkey.calls).toEqual([])
    expect(api.requests).toEqual([])
  })

  it('caches the configuration: one RPC for many calls, concurrent ones included, until the TTL has passed', async () => {
    const { client, latchkey, clock } = setUp({ cacheTtlMs: 30_000 })
    await Promise.all(Array.from({ length: 50 }, () => client.fetchApi('tenant-a', 'conn-1', { path: '/me' })))
    await client.fetchApi('tenant-a', 'conn-1', { path: '/me' })
    expect(latchkey.callsOf('getApiClientConfig')).toHaveLength(1)
    clock.advance(30_000)
    await client.fetchApi('tenant-a', 'conn-1', { path: '/me' })
    expect(latchkey.callsOf('getApiClientConfig')).toHaveLength(2)
  })

  it("asks again at the configuration's expiresAt (the token's refresh time)", async () => {
    const { client, latchkey, clock } = setUp({ cacheTtlMs: 600_000 })
    latchkey.autoAnswer('getApiClientConfig', () => directConfig('v1', { expiresAt: clock.ms + 1_000 }))
    await client.fetchApi('tenant-a', 'conn-1', { path: '/me' })
    clock.advance(999)
    await client.fetchApi('tenant-a', 'conn-1', { path: '/me' })
    expect(latchkey.callsOf('getApiClientConfig')).toHaveLength(1)
    clock.advance(1)
    await client.fetchApi('tenant-a', 'conn-1', { path: '/me' })
    expect(latchkey.callsOf('getApiClientConfig')).toHaveLength(2)
  })

  it('on a 401 asks Latchkey to refresh the rejected version, then retries once with the new configuration, body and all', async () => {
    const { client, api, latchkey } = setUp()
    api.respond = rejecting('v1')
    const response = await client.fetchApi('tenant-a', 'conn-1', { path: '/notes', method: 'PUT', body: 'the note' })
    expect(await response.json()).toEqual({ ok: true, version: 'v2' })
    expect(latchkey.callsOf('refreshApiClientConfig').map((call) => call.args)).toEqual([['tenant-a', 'conn-1', 'v1']])
    expect(api.requests.map((request) => [request.headers['authorization'], request.body])).toEqual([
      ['Bearer token-v1', 'the note'],
      ['Bearer token-v2', 'the note'],
    ])
    // The refreshed configuration is the cached one now.
    await client.fetchApi('tenant-a', 'conn-1', { path: '/me' })
    expect(api.requests[2]?.headers['authorization']).toBe('Bearer token-v2')
    expect(latchkey.callsOf('getApiClientConfig')).toHaveLength(1)
  })

  it('a storm of 401s in one isolate makes one refresh RPC, and every call is retried with its result', async () => {
    const { client, api, latchkey } = setUp()
    await client.fetchApi('tenant-a', 'conn-1', { path: '/warm' })
    latchkey.answerByHand('refreshApiClientConfig')
    api.respond = rejecting('v1')
    const storm = Array.from({ length: 100 }, () => client.fetchApi('tenant-a', 'conn-1', { path: '/me' }))
    await settle()
    const refreshes = latchkey.callsOf('refreshApiClientConfig')
    expect(refreshes.map((call) => call.args)).toEqual([['tenant-a', 'conn-1', 'v1']])
    refreshes[0]?.resolve(directConfig('v2'))
    const responses = await Promise.all(storm)
    expect(responses.map((response) => response.status)).toEqual(Array(100).fill(200))
    expect(latchkey.callsOf('refreshApiClientConfig')).toHaveLength(1)
    expect(api.requests.filter((request) => request.headers['authorization'] === 'Bearer token-v2')).toHaveLength(100)
  })

  it('gives the 401 back when Latchkey has nothing newer for the rejected version', async () => {
    const { client, api, latchkey } = setUp()
    latchkey.autoAnswer('refreshApiClientConfig', () => directConfig('v1'))
    api.respond = rejecting('v1')
    const response = await client.fetchApi('tenant-a', 'conn-1', { path: '/me' })
    expect(response.status).toBe(401)
    expect(await response.text()).toBe('expired')
    expect(api.requests).toHaveLength(1)
  })

  it('retries once only: a second 401 is the answer', async () => {
    const { client, api, latchkey } = setUp()
    api.respond = rejecting('v1', 'v2')
    const response = await client.fetchApi('tenant-a', 'conn-1', { path: '/me' })
    expect(response.status).toBe(401)
    expect(api.requests).toHaveLength(2)
    expect(latchkey.callsOf('refreshApiClientConfig')).toHaveLength(1)
  })

  it("throws Latchkey's error when the refresh fails (needs_reauth), and caches nothing of it", async () => {
    const { client, api, latchkey } = setUp()
    latchkey.autoAnswer('refreshApiClientConfig', () => {
      throw rpcError('needs_reauth')
    })
    api.respond = rejecting('v1')
    await expect(client.fetchApi('tenant-a', 'conn-1', { path: '/me' })).rejects.toMatchObject({ name: 'LatchkeyClientError', code: 'needs_reauth' })
    await expect(client.fetchApi('tenant-a', 'conn-1', { path: '/me' })).rejects.toMatchObject({ code: 'needs_reauth' })
    expect(latchkey.callsOf('refreshApiClientConfig')).toHaveLength(2)
    expect(latchkey.callsOf('getApiClientConfig')).toHaveLength(2)
  })

  it("throws Latchkey's error for the configuration, and asks again on the next call", async () => {
    const { client, latchkey, api } = setUp()
    latchkey.autoAnswer('getApiClientConfig', () => {
      throw rpcError('connection_not_found')
    })
    await expect(client.fetchApi('tenant-a', 'conn-1', { path: '/me' })).rejects.toMatchObject({ code: 'connection_not_found' })
    await expect(client.fetchApi('tenant-a', 'conn-1', { path: '/me' })).rejects.toMatchObject({ code: 'connection_not_found' })
    expect(latchkey.callsOf('getApiClientConfig')).toHaveLength(2)
    expect(api.requests).toEqual([])
  })

  it('sends the call through proxy when only Latchkey can (direct: false), and remembers that', async () => {
    const { client, latchkey, api } = setUp()
    latchkey.autoAnswer('getApiClientConfig', () => ({ direct: false, reason: 'OAuth 1.0a requests are signed by Latchkey.' }))
    latchkey.autoAnswer('proxy', () => new Response('through Latchkey'))
    const response = await client.fetchApi('tenant-a', 'conn-1', { path: '/notes', method: 'POST', headers: { 'X-A': '1' }, body: 'hi' })
    expect(await response.text()).toBe('through Latchkey')
    const [proxied] = latchkey.callsOf('proxy')
    const [tenant, connectionId, init] = (proxied?.args ?? []) as [string, string, { path: string; method: string; headers: [string, string][]; body: ArrayBuffer }]
    expect([tenant, connectionId, init.path, init.method, init.headers]).toEqual(['tenant-a', 'conn-1', '/notes', 'POST', [['x-a', '1']]])
    expect(new TextDecoder().decode(init.body)).toBe('hi')
    await client.fetchApi('tenant-a', 'conn-1', { path: '/me' })
    expect(latchkey.callsOf('getApiClientConfig')).toHaveLength(1)
    expect(latchkey.callsOf('proxy')).toHaveLength(2)
    expect(api.requests).toEqual([])
  })

  it('falls back to proxy against a Latchkey deployed before the direct proxy', async () => {
    const { client, latchkey, api } = setUp()
    latchkey.autoAnswer('getApiClientConfig', () => {
      throw new TypeError('The RPC receiver does not implement the method "getApiClientConfig".')
    })
    latchkey.autoAnswer('proxy', () => new Response('through Latchkey'))
    expect(await (await client.fetchApi('tenant-a', 'conn-1', { path: '/me' })).text()).toBe('through Latchkey')
    expect(api.requests).toEqual([])
  })

  it('a forced token refresh drops the cached configuration (it holds the old token)', async () => {
    const { client, latchkey } = setUp()
    latchkey.autoAnswer('getAccessToken', () => ({ accessToken: 'fresh', expiresAt: null }))
    await client.fetchApi('tenant-a', 'conn-1', { path: '/me' })
    await client.getAccessToken('tenant-a', 'conn-1', { forceRefresh: true })
    await client.fetchApi('tenant-a', 'conn-1', { path: '/me' })
    expect(latchkey.callsOf('getApiClientConfig')).toHaveLength(2)
  })

  it('a TTL of 0 asks for the configuration on every call', async () => {
    const { client, latchkey } = setUp({ cacheTtlMs: 0 })
    await client.fetchApi('tenant-a', 'conn-1', { path: '/me' })
    await client.fetchApi('tenant-a', 'conn-1', { path: '/me' })
    expect(latchkey.callsOf('getApiClientConfig')).toHaveLength(2)
  })
})
