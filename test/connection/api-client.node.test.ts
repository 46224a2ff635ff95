/**
 * The API client object's request shaping (Membrane's get/post/put/patch/delete contract) and
 * response classification, without a network: `send` is the engine boundary, given here a
 * canned exchange per call.
 */
import { describe, expect, it } from 'vitest'
import { ApiRequestError, createApiClient } from '../../src/connection/api-client.ts'
import type { ApiClientConfig } from '../../src/connection/api-client-config.ts'
import type { ApiCall } from '../../src/connection/api-request.ts'
import { classifyApiResponse, type ApiResponse } from '../../src/connection/api-response.ts'
import type { ApiExchange } from '../../src/connection/send-api-call.ts'

const CONFIG: ApiClientConfig = { baseUri: 'https://api.example.com/v2', headers: { Authorization: 'Bearer tok_secret_123' }, query: { key: 'k' } }

function answer(status: number, data: unknown, headers: Record<string, string> = {}): ApiExchange {
  const read: ApiResponse = { status, statusCode: status, headers, data }
  return { response: new Response(null, { status: status === 204 ? 204 : status }), read, outcome: classifyApiResponse(read, []), tooLarge: false }
}

function recordingClient(exchange: ApiExchange = answer(200, { ok: true })) {
  const calls: ApiCall[] = []
  const client = createApiClient(
    CONFIG,
    async (call) => {
      calls.push(call)
      return exchange
    },
    ['tok_secret_123'],
  )
  return { client, calls }
}

function bodyText(call: ApiCall | undefined): string {
  return call?.body === null || call === undefined ? '' : new TextDecoder().decode(call.body)
}

describe('request shaping', () => {
  it('get: query object appended to the path, objects as JSON, arrays repeated; nothing to send', async () => {
    const { client, calls } = recordingClient()
    expect(await client.get('/users', { limit: 10, tags: ['a', 'b'], filter: { active: true }, skip: undefined })).toEqual({ ok: true })
    expect(calls[0]).toMatchObject({ method: 'GET', path: '/users?limit=10&tags=a&tags=b&filter=%7B%22active%22%3Atrue%7D', body: null, trusted: true })
  })

  it('post: an object is sent as JSON with its Content-Type; options.query and options.headers apply', async () => {
    const { client, calls } = recordingClient()
    await client.post('/items?x=1', { name: 'n', n: 2 }, { query: { y: '2' }, headers: { 'X-Trace': 't' } })
    expect(calls[0]?.path).toBe('/items?x=1&y=2')
    expect(new Headers(calls[0]?.headers).get('content-type')).toBe('application/json')
    expect(new Headers(calls[0]?.headers).get('x-trace')).toBe('t')
    expect(JSON.parse(bodyText(calls[0]))).toEqual({ name: 'n', n: 2 })
  })

  it('post: an object with a form Content-Type is form-encoded; a string goes as it is; null sends no body', async () => {
    const { client, calls } = recordingClient()
    await client.post('/form', { a: '1 2', b: 3 }, { headers: { 'Content-Type': 'application/x-www-form-urlencoded' } })
    await client.put('/text', 'raw text', { headers: { 'Content-Type': 'text/plain' } })
    await client.patch('/none', null)
    expect(bodyText(calls[0])).toBe('a=1+2&b=3')
    expect(bodyText(calls[1])).toBe('raw text')
    expect(calls[2]).toMatchObject({ method: 'PATCH', body: null })
  })

  it('delete takes a query like get', async () => {
    const { client, calls } = recordingClient(answer(204, null))
    expect(await client.delete('/items/7', { force: true })).toBeNull()
    expect(calls[0]).toMatchObject({ method: 'DELETE', path: '/items/7?force=true', body: null })
  })

  it('returnFullResponse resolves to status, statusCode, headers and data', async () => {
    const { client } = recordingClient(answer(200, { id: 1 }, { 'x-rate': '5' }))
    expect(await client.get('/me', undefined, { returnFullResponse: true })).toEqual({ status: 200, statusCode: 200, headers: { 'x-rate': '5' }, data: { id: 1 } })
  })

  it('keeps the evaluated makeApiClient fields for connectors that build requests themselves', () => {
    const { client } = recordingClient()
    expect({ baseUri: client.baseUri, headers: client.headers, query: client.query }).toEqual(CONFIG)
  })
})

describe('failures', () => {
  it.each([
    [401, 'access_token_expired'],
    [429, 'rate_limit_exceeded'],
    [404, 'api_request_failed'],
    [500, 'api_request_failed'],
  ])('HTTP %i throws ApiRequestError with key %s, the status and the masked body in data.data (Membrane error shape)', async (status, key) => {
    const { client } = recordingClient(answer(status, { error: 'nope', echoed: 'tok_secret_123' }))
    const error: unknown = await client.get('/me').catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(ApiRequestError)
    expect(error).toMatchObject({ key, status, isIntegrationAppError: true, data: { key, data: { error: 'nope', echoed: '[masked]' } } })
    expect((error as Error).message).toBe(`GET /v2/me answered HTTP ${status}: {"error":"nope","echoed":"[masked]"} (${key})`)
  })

  it('an empty path is refused before anything is sent', async () => {
    const { client, calls } = recordingClient()
    await expect(client.get('')).rejects.toBeInstanceOf(ApiRequestError)
    expect(calls).toEqual([])
  })
})

describe('classifyApiResponse', () => {
  const response = (status: number, data: unknown): ApiResponse => ({ status, statusCode: status, headers: {}, data })

  it.each([
    ['a 2xx without handlers', response(201, { id: 1 }), [], { ok: true, data: { id: 1 } }],
    ['a 3xx without handlers', response(302, null), [], { ok: false, key: 'api_request_failed', message: null, data: null }],
    [
      'the first matching handler',
      response(200, { ok: false }),
      [
        { match: false, isSuccess: true },
        { match: true, error: { key: 'access_token_expired', message: 'expired' } },
      ],
      { ok: false, key: 'access_token_expired', message: 'expired', data: { ok: false } },
    ],
    ['a matching success handler with data', response(403, { x: 1 }), [{ match: true, isSuccess: true, data: 'mapped' }], { ok: true, data: 'mapped' }],
    [
      'a matching handler without a key',
      response(200, { ok: false }),
      [{ match: 1, error: { data: { why: 'w' } } }],
      { ok: false, key: 'api_request_failed', message: null, data: { why: 'w' } },
    ],
    [
      'no matching handler: the status decides',
      response(401, 'denied'),
      [{ match: null, isSuccess: true }],
      { ok: false, key: 'access_token_expired', message: null, data: 'denied' },
    ],
  ])('%s', (_case, read, handlers, expected) => {
    expect(classifyApiResponse(read, handlers)).toEqual(expected)
  })
})
