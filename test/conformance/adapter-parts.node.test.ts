/**
 * The pure parts of the conformance adapter (scripts/conformance/): its settings, the cookie jar
 * that carries the flow's browser binding, the return URL's result, the error page's code, and
 * JSON-RPC answers in JSON or as an event stream. Each reads untrusted input, so each refusal
 * is tested too.
 */
import { describe, expect, it } from 'vitest'
import { readAdapterSettings, suiteOffersClient } from '../../scripts/conformance/adapter-environment.ts'
import { setCookieValues } from '../../scripts/conformance/browser-navigation.ts'
import { CookieJar, parseSetCookie } from '../../scripts/conformance/cookie-jar.ts'
import { readConnectResult } from '../../scripts/conformance/connect-result.ts'
import { readJsonRpcResponse, serverSentEventData } from '../../scripts/conformance/json-rpc-response.ts'
import { pageErrorCode } from '../../scripts/conformance/latchkey-connection.ts'

const KEY = `lk_abcdefgh2345_${'s'.repeat(43)}`
const SETTINGS = {
  LATCHKEY_CONFORMANCE_ORIGIN: 'http://localhost:8787',
  LATCHKEY_CONFORMANCE_API_KEY: KEY,
  LATCHKEY_CONFORMANCE_RETURN_URL: 'http://localhost:8787/conformance/connected',
  MCP_CONFORMANCE_SCENARIO: 'auth/metadata-default',
  MCP_CONFORMANCE_PROTOCOL_VERSION: '2026-07-28',
}

describe('readAdapterSettings', () => {
  it('reads what the runner and the suite set', () => {
    expect(readAdapterSettings(SETTINGS)).toEqual({
      latchkeyOrigin: 'http://localhost:8787',
      apiKey: KEY,
      returnUrl: 'http://localhost:8787/conformance/connected',
      scenario: 'auth/metadata-default',
      protocolVersion: '2026-07-28',
    })
  })

  it('speaks 2025-11-25 when the suite names no revision', () => {
    expect(readAdapterSettings({ ...SETTINGS, MCP_CONFORMANCE_PROTOCOL_VERSION: undefined }).protocolVersion).toBe('2025-11-25')
  })

  it.each([
    [{ LATCHKEY_CONFORMANCE_ORIGIN: undefined }, /ORIGIN is not set/],
    [{ LATCHKEY_CONFORMANCE_ORIGIN: 'http://localhost:8787/v1' }, /must be an origin/],
    [{ LATCHKEY_CONFORMANCE_ORIGIN: 'ftp://localhost' }, /http\(s\) URL/],
    [{ LATCHKEY_CONFORMANCE_API_KEY: 'not-a-key' }, /API_KEY must be a Latchkey API key/],
    [{ LATCHKEY_CONFORMANCE_RETURN_URL: 'nowhere' }, /RETURN_URL is not a URL/],
    [{ MCP_CONFORMANCE_PROTOCOL_VERSION: 'draft' }, /dated MCP revision/],
  ])('refuses %o without echoing a value', (change, message) => {
    const attempt = () => readAdapterSettings({ ...SETTINGS, ...change })
    expect(attempt).toThrow(message)
    expect(attempt).not.toThrow(/not-a-key|nowhere/)
  })
})

describe('suiteOffersClient', () => {
  it("sees the suite's pre-registered client in the scenario context", () => {
    expect(suiteOffersClient({ MCP_CONFORMANCE_CONTEXT: '{"name":"auth/pre-registration","client_id":"c","client_secret":"s"}' })).toBe(true)
  })

  it('sees none without a context, in another context, or in a malformed one', () => {
    expect(suiteOffersClient({})).toBe(false)
    expect(suiteOffersClient({ MCP_CONFORMANCE_CONTEXT: '{"name":"auth/x"}' })).toBe(false)
    expect(suiteOffersClient({ MCP_CONFORMANCE_CONTEXT: '{' })).toBe(false)
  })
})

describe('the cookie jar', () => {
  const latchkey = new URL('http://localhost:8787/connect/mcp')

  it('reads a __Host- binding cookie with its attributes', () => {
    expect(parseSetCookie('__Host-latchkey-flow-abc=n0nce; Max-Age=600; Path=/; Secure; HttpOnly; SameSite=Lax')).toEqual({
      name: '__Host-latchkey-flow-abc',
      value: 'n0nce',
      expired: false,
    })
  })

  it('sends cookies back to their origin only, and forgets cleared ones', () => {
    const jar = new CookieJar()
    jar.store(latchkey, ['a=1; Path=/; Secure', 'b=2'])
    expect(jar.header(new URL('http://localhost:8787/oauth/callback?code=x'))).toBe('a=1; b=2')
    expect(jar.header(new URL('http://localhost:9999/authorize'))).toBeNull()
    expect(jar.header(new URL('http://127.0.0.1:8787/oauth/callback'))).toBeNull()
    jar.store(latchkey, ['a=; Max-Age=0; Path=/', 'b=; Expires=Thu, 01 Jan 1970 00:00:00 GMT'])
    expect(jar.header(latchkey)).toBeNull()
  })

  it('ignores a Set-Cookie without a name', () => {
    expect(parseSetCookie('=value')).toBeNull()
    expect(parseSetCookie('novalue')).toBeNull()
  })

  it('takes each Set-Cookie of a response separately', () => {
    const headers = new Headers()
    headers.append('Set-Cookie', 'a=1; Expires=Wed, 21 Oct 2099 07:28:00 GMT')
    headers.append('Set-Cookie', 'b=2')
    expect(setCookieValues(headers)).toEqual(['a=1; Expires=Wed, 21 Oct 2099 07:28:00 GMT', 'b=2'])
  })
})

describe('readConnectResult', () => {
  const id = 'conn_abcdefghijklmnopqrstuvwxyz'
  const returned = (query: string) => readConnectResult(new URL(`http://localhost:8787/conformance/connected?${query}`))

  it('reads a connected flow', () => {
    expect(returned(`connection_id=${id}&status=connected`)).toEqual({ ok: true, connectionId: id, status: 'connected' })
  })

  it('reads a refused flow, with or without a connection and a provider error', () => {
    expect(returned('error=resource_mismatch')).toEqual({ ok: false, error: 'resource_mismatch', providerError: null, connectionId: null })
    expect(returned(`connection_id=${id}&error=provider_denied&provider_error=access_denied`)).toEqual({
      ok: false,
      error: 'provider_denied',
      providerError: 'access_denied',
      connectionId: id,
    })
  })

  it.each([
    ['', /neither an error nor a known status/],
    ['status=connected', /no connection_id/],
    ['status=maybe&connection_id=conn_abcdefghijklmnopqrstuvwxyz', /neither an error nor a known status/],
    ['connection_id=conn_1&status=connected', /malformed connection_id/],
    ['error=Not-A-Code', /malformed error code/],
    ['error=a&error=b', /error more than once/],
    ['error=a&provider_error=%3Cscript%3E', /malformed provider_error/],
  ])('refuses ?%s', (query, message) => {
    expect(() => returned(query)).toThrow(message)
  })
})

describe('pageErrorCode', () => {
  it("reads the code from Latchkey's error page", () => {
    expect(pageErrorCode('<details><p>Error code: <code>client_registration_failed</code></p></details>')).toBe('client_registration_failed')
  })

  it('finds nothing in a page without one', () => {
    expect(pageErrorCode('<h1>Hello</h1><code>not_after_the_label</code>')).toBeNull()
  })
})

describe('readJsonRpcResponse', () => {
  it('reads a JSON answer', () => {
    expect(readJsonRpcResponse('application/json; charset=utf-8', '{"jsonrpc":"2.0","id":3,"result":{"tools":[]}}', 3)).toEqual({ id: 3, result: { tools: [] } })
  })

  it('picks the answer to the request out of an event stream with other messages', () => {
    const stream = [
      ': keep-alive',
      '',
      'event: message',
      'data: {"jsonrpc":"2.0","method":"notifications/message","params":{}}',
      '',
      'id: 7',
      'data: {"jsonrpc":"2.0",',
      'data:  "id":2,"error":{"code":-32601,"message":"Method not found"}}',
      '',
    ].join('\r\n')
    expect(readJsonRpcResponse('text/event-stream', stream, 2)).toEqual({ id: 2, error: { code: -32601, message: 'Method not found' } })
  })

  it('fails on a body without the answer', () => {
    expect(() => readJsonRpcResponse('application/json', '{"jsonrpc":"2.0","id":1,"result":{}}', 2)).toThrow(/no JSON-RPC response with id 2/)
    expect(() => readJsonRpcResponse('application/json', '<html>', 1)).toThrow(/no JSON-RPC response/)
    expect(() => readJsonRpcResponse('application/json', '{"id":1,"result":{}}', 1)).toThrow(/no JSON-RPC response/)
    expect(() => readJsonRpcResponse(null, '{"jsonrpc":"2.0","id":1,"result":[]}', 1)).toThrow(/untyped body/)
  })

  it('splits event data by the SSE rules', () => {
    expect(serverSentEventData('data:a\ndata: b\n\nretry: 5\n\ndata\n\ndata: c')).toEqual(['a\nb', '', 'c'])
  })
})
