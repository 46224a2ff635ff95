/**
 * The client's direct proxy and Latchkey's server-side proxy apply the same request rules:
 * one table of cases runs against packages/client/src/api-request.ts and
 * src/connection/api-request.ts, so the two cannot drift. Path safety: other hosts, `//host`,
 * dot segments leaving baseUri and userinfo are refused before anything is sent.
 */
import type { ApiRequestInit } from '@latchkey/client'
import { describe, expect, it } from 'vitest'
import * as client from '../../packages/client/src/api-request.ts'
import * as server from '../../src/connection/api-request.ts'
import { errorCodeOf } from '../support/error-code.ts'

const BASE = 'https://api.example.com/v2'
const REFUSED = 'invalid_request'

/** [baseUri, path, the URL it resolves to or REFUSED]. */
const PATH_CASES: Array<[string, string, string]> = [
  [BASE, '/user', 'https://api.example.com/v2/user'],
  [BASE, 'user', 'https://api.example.com/v2/user'],
  [BASE, '\\user', 'https://api.example.com/v2/user'],
  [BASE, '/v2/user', 'https://api.example.com/v2/v2/user'],
  [BASE, '/users/../me', 'https://api.example.com/v2/me'],
  [BASE, '/x?y=1&z=2', 'https://api.example.com/v2/x?y=1&z=2'],
  [BASE, '/x#fragment', 'https://api.example.com/v2/x'],
  [BASE, '/%2F%2Fevil.example/x', 'https://api.example.com/v2/%2F%2Fevil.example/x'],
  [BASE, '/..%2fadmin', 'https://api.example.com/v2/..%2fadmin'],
  [BASE, 'https://api.example.com/v2', 'https://api.example.com/v2'],
  [BASE, 'https://api.example.com/v2/user?x=1', 'https://api.example.com/v2/user?x=1'],
  [BASE, 'HTTPS://API.EXAMPLE.COM/v2/user', 'https://api.example.com/v2/user'],
  [BASE, 'https://api.example.com:443/v2/user', 'https://api.example.com/v2/user'],
  [`${BASE}/`, '/user', 'https://api.example.com/v2/user'],
  ['https://api.example.com', '/user', 'https://api.example.com/user'],
  // Other hosts, however spelled.
  [BASE, '//evil.example/x', REFUSED],
  [BASE, '\\\\evil.example/x', REFUSED],
  [BASE, '/\\evil.example/x', REFUSED],
  [BASE, '\\/evil.example/x', REFUSED],
  [BASE, ' //evil.example/x', REFUSED],
  // A leading space is trimmed by the URL parser after the leading `/` check: the path is then absolute on the host.
  [BASE, ' /padded', REFUSED],
  [BASE, 'https://evil.example/v2/user', REFUSED],
  [BASE, 'http://api.example.com/v2/user', REFUSED],
  [BASE, 'https://api.example.com:8443/v2/user', REFUSED],
  [BASE, 'https://api.example.com.evil.example/v2/user', REFUSED],
  [BASE, 'javascript:alert(1)', REFUSED],
  [BASE, 'data:text/plain,hello', REFUSED],
  ['https://api.example.com', '//evil.example', REFUSED],
  // Outside baseUri's path on its host.
  [BASE, 'https://api.example.com/other', REFUSED],
  [BASE, 'https://api.example.com/v2x/user', REFUSED],
  [BASE, '../admin', REFUSED],
  [BASE, '/../admin', REFUSED],
  [BASE, 'a/../../admin', REFUSED],
  [BASE, '%2e%2e/admin', REFUSED],
  [BASE, '/.%2E/admin', REFUSED],
  [BASE, 'https://api.example.com/v2/../admin', REFUSED],
  // Credentials in the URL.
  [BASE, 'https://user:pass@api.example.com/v2/x', REFUSED],
  [BASE, 'https://user@api.example.com/v2/x', REFUSED],
  // Not a URL.
  [BASE, 'https://[::1/v2', REFUSED],
]

/** What a resolver makes of a case: the URL, or the error code it throws. */
async function outcome(resolve: () => URL): Promise<string> {
  let url: URL | undefined
  const code = await errorCodeOf(() => {
    url = resolve()
  })
  return code ?? String(url)
}

describe('path safety: the client and the server-side proxy resolve every path alike', () => {
  it.each(PATH_CASES)('%s + %j -> %s', async (baseUri, path, expected) => {
    expect(await outcome(() => server.resolveApiUrl(baseUri, path))).toBe(expected)
    expect(await outcome(() => client.resolveApiUrl(baseUri, path))).toBe(expected)
  })
})

const CONFIG = { baseUri: BASE, headers: { Authorization: 'Bearer connection-token', 'X-Api-Version': '7' }, query: { api_key: 'connection-key' } }

/** Calls whose outgoing request must be the same from both: [name, call]. */
const BUILD_CASES: Array<[string, client.ApiCall]> = [
  [
    'a GET with the caller headers',
    {
      path: '/items?page=2',
      method: 'GET',
      headers: [
        ['Accept', 'application/json'],
        ['X-Trace', 'abc'],
      ],
      body: null,
    },
  ],
  [
    "the connection's headers and query win over the caller's",
    {
      path: '/items?api_key=caller-key&q=1',
      method: 'GET',
      headers: [
        ['authorization', 'Bearer caller-token'],
        ['x-api-version', '1'],
      ],
      body: null,
    },
  ],
  [
    'hop-by-hop and connection headers of the caller are dropped',
    {
      path: '/items',
      method: 'GET',
      headers: [
        ['Host', 'evil.example'],
        ['Content-Length', '5'],
        ['Connection', 'close'],
        ['Transfer-Encoding', 'chunked'],
        ['Upgrade', 'websocket'],
        ['Keep-Alive', '5'],
        ['Proxy-Authorization', 'Basic eA=='],
        ['TE', 'trailers'],
        ['Trailer', 'x'],
        ['X-Kept', 'yes'],
      ],
      body: null,
    },
  ],
  ['a POST with a body', { path: 'notes', method: 'POST', headers: [['Content-Type', 'text/plain']], body: new TextEncoder().encode('hello').buffer as ArrayBuffer }],
  ['a GET never carries a body', { path: '/notes', method: 'GET', headers: [], body: new TextEncoder().encode('dropped').buffer as ArrayBuffer }],
  ['an extension method as given', { path: '/notes', method: 'PROPFIND', headers: [], body: null }],
  ['an absolute URL under baseUri', { path: 'https://api.example.com/v2/a/b#x', method: 'DELETE', headers: [], body: null }],
]

/** The parts of a request a proxy decides. */
async function described(request: Request): Promise<unknown> {
  return { url: request.url, method: request.method, headers: [...request.headers], redirect: request.redirect, body: request.body === null ? null : await request.text() }
}

describe('the outgoing request: the client builds it exactly as the server-side proxy does', () => {
  it.each(BUILD_CASES)('%s', async (_name, call) => {
    const fromServer = await described(server.buildApiRequest(CONFIG, call))
    expect(await described(client.buildApiRequest(CONFIG, call))).toEqual(fromServer)
    expect(fromServer).toMatchObject({ redirect: 'manual' })
  })

  it('refuses a path outside baseUri in both, before any request exists', async () => {
    const call: client.ApiCall = { path: '//evil.example/x', method: 'GET', headers: [], body: null }
    expect(await errorCodeOf(() => server.buildApiRequest(CONFIG, call))).toBe(REFUSED)
    expect(await errorCodeOf(() => client.buildApiRequest(CONFIG, call))).toBe(REFUSED)
  })
})

/** Caller inputs both read alike: [name, input]. */
const READ_CASES: Array<[string, () => Request | ApiRequestInit]> = [
  ['an object with defaults', () => ({ path: '/me' })],
  ['an object with everything', () => ({ path: '/notes', method: 'post', headers: { 'X-A': '1' }, body: 'hello' })],
  [
    'headers as pairs',
    () => ({
      path: '/notes',
      headers: [
        ['X-A', '1'],
        ['X-B', '2'],
      ],
    }),
  ],
  ['a typed array body', () => ({ path: '/notes', method: 'PUT', body: new TextEncoder().encode('bytes') })],
  ['a stream body', () => ({ path: '/notes', method: 'PUT', body: new Response('streamed').body })],
  ['an empty path (the baseUri itself)', () => ({ path: '' })],
  ['a Request', () => new Request('https://api.example.com/v2/notes', { method: 'PATCH', headers: { 'X-A': '1' }, body: 'patched' })],
  ['a path too long', () => ({ path: `/${'a'.repeat(8 * 1024)}` })],
  ['a method that is no token', () => ({ path: '/x', method: 'GE T' })],
  ['CONNECT', () => ({ path: '/x', method: 'connect' })],
  ['TRACE', () => ({ path: '/x', method: 'TRACE' })],
  ['a header name that is not valid', () => ({ path: '/x', headers: { 'Bad Header': 'x' } })],
  ['a body of another type', () => ({ path: '/x', method: 'POST', body: 42 as unknown as string })],
  ['no object at all', () => null as unknown as ApiRequestInit],
]

async function readOutcome(read: () => Promise<client.ApiCall>): Promise<unknown> {
  try {
    const call = await read()
    return { ...call, body: call.body === null ? null : new TextDecoder().decode(call.body) }
  } catch (error) {
    return { error: await errorCodeOf(error) }
  }
}

describe('reading the caller request: the client reads and checks it as the server-side proxy does', () => {
  it.each(READ_CASES)('%s', async (_name, input) => {
    const fromServer = await readOutcome(() => server.readApiCall(input()))
    expect(await readOutcome(() => client.readApiCall(input()))).toEqual(fromServer)
  })

  it('refuses a body over 10 MiB in both', async () => {
    const big = () => ({ path: '/upload', method: 'POST', body: new Uint8Array(client.MAX_API_BODY_BYTES + 1) })
    expect(client.MAX_API_BODY_BYTES).toBe(server.MAX_API_BODY_BYTES)
    expect(await readOutcome(() => server.readApiCall(big()))).toEqual({ error: REFUSED })
    expect(await readOutcome(() => client.readApiCall(big()))).toEqual({ error: REFUSED })
  })
})
