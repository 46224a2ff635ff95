/**
 * The proxy's trust boundary: which paths a caller may send the connection's credentials
 * to, and how makeApiClient results are checked (pure).
 */
import { describe, expect, it } from 'vitest'
import { validateApiClientConfig } from '../../src/connection/api-client-config.ts'
import { buildApiRequest, readApiCall, resolveApiUrl } from '../../src/connection/api-request.ts'
import { errorCodeOf } from '../support/error-code.ts'

const BASE = 'https://api.example.com/v2'

describe('resolveApiUrl', () => {
  it.each([
    { path: '/users/me', expected: 'https://api.example.com/v2/users/me' },
    { path: 'users/me?x=1', expected: 'https://api.example.com/v2/users/me?x=1' },
    { path: 'https://api.example.com/v2/users', expected: 'https://api.example.com/v2/users' },
    { path: 'https://api.example.com/v2', expected: 'https://api.example.com/v2' },
    { path: 'a/./b/../c#fragment', expected: 'https://api.example.com/v2/a/c' },
  ])('sends $path to $expected', ({ path, expected }) => {
    expect(resolveApiUrl(BASE, path).toString()).toBe(expected)
  })

  it.each([
    'https://evil.example/v2/users',
    'http://api.example.com/v2/users',
    'https://api.example.com/v2evil/users',
    'https://api.example.com/other',
    '//evil.example/x',
    '/\\evil.example/x',
    '\\\\evil.example/x',
    '../other',
    '%2e%2e/other',
    'users/%2e%2e/%2e%2e/other',
    'https://user:pw@api.example.com/v2/users',
    'javascript:alert(1)',
  ])('refuses %s', async (path) => {
    expect(await errorCodeOf(() => resolveApiUrl(BASE, path))).toBe('invalid_request')
  })
})

describe('buildApiRequest', () => {
  it("applies the connector's query and headers over the caller's and drops hop-by-hop headers", async () => {
    const config = { baseUri: BASE, headers: { Authorization: 'Bearer at_1' }, query: { key: 'k' } }
    const call = await readApiCall({ path: '/items?page=2', method: 'post', headers: { Authorization: 'Bearer caller', Host: 'evil.example', 'X-Trace': 't' }, body: 'b' })
    const request = buildApiRequest(config, call)
    expect(request.method).toBe('POST')
    expect(request.url).toBe('https://api.example.com/v2/items?page=2&key=k')
    expect(request.headers.get('Authorization')).toBe('Bearer at_1')
    expect(request.headers.get('X-Trace')).toBe('t')
    expect(request.redirect).toBe('manual')
    expect(await request.text()).toBe('b')
  })
})

describe('validateApiClientConfig', () => {
  const context = { connectorKey: 'example', allowInsecureLoopback: false }

  it('accepts fields at the top level and under args:, args winning', () => {
    const config = validateApiClientConfig({ baseUri: 'https://ignored.example', args: { baseUri: BASE, headers: { 'X-Version': 3 } }, query: { a: true } }, context)
    expect(config).toEqual({ baseUri: BASE, headers: { 'X-Version': '3' }, query: { a: 'true' } })
  })

  it('turns auth into an HTTP Basic Authorization header (UTF-8)', () => {
    const config = validateApiClientConfig({ baseUri: BASE, auth: { username: 'usér', password: 'p:w' } }, context)
    expect(config.headers['Authorization']).toBe(`Basic ${Buffer.from('usér:p:w', 'utf8').toString('base64')}`)
  })

  it.each([
    { label: 'no baseUri', raw: { headers: {} } },
    { label: 'an http baseUri', raw: { baseUri: 'http://api.example.com' } },
    { label: 'credentials in the baseUri', raw: { baseUri: 'https://u:p@api.example.com' } },
    { label: 'a header that is an object', raw: { baseUri: BASE, headers: { A: { b: 1 } } } },
    { label: 'an invalid header name', raw: { baseUri: BASE, headers: { 'Bad Header': 'x' } } },
    { label: 'auth without password', raw: { baseUri: BASE, auth: { username: 'u' } } },
    { label: 'args that is not an object', raw: { args: 'x' } },
  ])('refuses $label as connector_misconfigured', async ({ raw }) => {
    expect(await errorCodeOf(() => validateApiClientConfig(raw, context))).toBe('connector_misconfigured')
  })

  it('allows http only for loopback hosts when insecure loopback is enabled', async () => {
    expect(validateApiClientConfig({ baseUri: 'http://127.0.0.1:8080/api' }, { ...context, allowInsecureLoopback: true }).baseUri).toBe('http://127.0.0.1:8080/api')
    expect(await errorCodeOf(() => validateApiClientConfig({ baseUri: 'http://127.0.0.1:8080/api' }, context))).toBe('connector_misconfigured')
  })
})
