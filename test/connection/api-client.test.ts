/**
 * The API client object connector methods get, and the proxy, against the test upstream:
 * Membrane's `apiClient.get(...)` contract, response handlers, refresh on expiry, rate-limit
 * backoff and the defunct transition, through the connector test-api-client
 * (test/fixtures/connectors/) whose test and disconnect use the client the Membrane way.
 */
import { describe, expect, it } from 'vitest'
import { connectionObject, storeConnection, type StoredConnection } from '../support/connections.ts'

const CONNECTOR = 'test-api-client'

async function connect(label: string): Promise<StoredConnection> {
  return storeConnection({ label, connectorKey: CONNECTOR })
}

function bearerOf(request: { headers: Record<string, string> }): string {
  return request.headers['authorization'] ?? ''
}

describe('the API client object a connector test gets', () => {
  it("joins the path to baseUri, sends the query and reads the JSON body (apiClient.get('/me', query))", async () => {
    const connection = await connect('apiclient-get')
    const summary = await connectionObject(connection.connectionId).testConnection(connection.tenant)

    expect(summary).toMatchObject({ status: 'connected', testResult: { ok: true } })
    const [request, ...others] = await connection.scenario.requestsTo('/api/me')
    expect(others).toEqual([])
    expect(request?.method).toBe('GET')
    expect(new URLSearchParams(request?.query).get('fields')).toBe('id,name')
    expect(bearerOf(request!)).toBe(`Bearer ${connection.tokens.access_token}`)
  })

  it('a response handler maps HTTP 200 {ok: false, error: invalid_auth} to access_token_expired: one refresh, one retry with the new token', async () => {
    const connection = await connect('apiclient-invalid-auth')
    await connection.scenario.script('/api/me', [{ status: 200, body: { ok: false, error: 'invalid_auth' } }])

    const summary = await connectionObject(connection.connectionId).testConnection(connection.tenant)

    expect(summary).toMatchObject({ status: 'connected', testResult: { ok: true } })
    expect(await connection.scenario.requestsTo('/token')).toHaveLength(1)
    const calls = await connection.scenario.requestsTo('/api/me')
    expect(calls).toHaveLength(2)
    expect(bearerOf(calls[0]!)).toBe(`Bearer ${connection.tokens.access_token}`)
    expect(bearerOf(calls[1]!)).not.toBe(bearerOf(calls[0]!))
  })

  it('a 429 is retried after its Retry-After, and the call then succeeds', async () => {
    const connection = await connect('apiclient-429')
    await connection.scenario.script('/api/me', [{ status: 429, headers: { 'Retry-After': '0' }, body: { error: 'slow down' } }])

    const summary = await connectionObject(connection.connectionId).testConnection(connection.tenant)

    expect(summary.testResult).toMatchObject({ ok: true })
    expect(await connection.scenario.requestsTo('/api/me')).toHaveLength(2)
    expect(await connection.scenario.requestsTo('/token')).toHaveLength(0)
  })

  it('a rate limit (handler key rate_limit_exceeded) asking for longer than the wait budget fails the call with that key, without waiting', async () => {
    const connection = await connect('apiclient-ratelimited')
    await connection.scenario.script('/api/me', [{ status: 200, headers: { 'Retry-After': '120' }, body: { ok: false, error: 'ratelimited' } }])

    const summary = await connectionObject(connection.connectionId).testConnection(connection.tenant)

    expect(summary).toMatchObject({ status: 'error', testResult: { ok: false, code: 'connector_method_failed' } })
    expect(summary.testResult?.message).toContain('(rate_limit_exceeded)')
    expect(await connection.scenario.requestsTo('/api/me')).toHaveLength(1)
  })

  it('a handler key connection_is_defunct makes the connection needs_reauth', async () => {
    const connection = await connect('apiclient-defunct')
    await connection.scenario.script('/api/me', [{ status: 200, body: { ok: false, error: 'account_inactive' } }])

    const summary = await connectionObject(connection.connectionId).testConnection(connection.tenant)

    expect(summary).toMatchObject({ status: 'needs_reauth', lastError: { code: 'needs_reauth' }, testResult: { ok: false } })
    expect(await connection.scenario.requestsTo('/token')).toHaveLength(0)
  })

  it('another status fails the test with the status and a bounded body excerpt in which the token is masked', async () => {
    const connection = await connect('apiclient-500')
    const echoed = `upstream broke while handling ${connection.tokens.access_token} ${'x'.repeat(2000)}`
    await connection.scenario.script('/api/me', [{ status: 500, body: { error: echoed } }])

    const summary = await connectionObject(connection.connectionId).testConnection(connection.tenant)

    const message = summary.testResult?.message ?? ''
    expect(summary).toMatchObject({ status: 'error', testResult: { ok: false, code: 'connector_method_failed' } })
    expect(message).toContain('GET /s/')
    expect(message).toContain('answered HTTP 500')
    expect(message).toContain('(api_request_failed)')
    expect(message).toContain('[masked]')
    expect(message).not.toContain(connection.tokens.access_token)
    expect(message.length).toBeLessThan(700)
  })

  it("a handler's own error message and key reach the test result", async () => {
    const connection = await connect('apiclient-handler-message')
    await connection.scenario.script('/api/me', [{ status: 200, body: { ok: false, error: 'missing_scope' } }])

    const summary = await connectionObject(connection.connectionId).testConnection(connection.tenant)

    expect(summary.testResult?.message).toContain('The API refused the call: missing_scope (api_request_failed)')
  })
})

describe('disconnect gets the API client too', () => {
  it('posts a JSON body with its own header, then the connection is gone', async () => {
    const connection = await connect('apiclient-disconnect')
    const result = await connectionObject(connection.connectionId).disconnect(connection.tenant)

    expect(result.connectorDisconnect).toBe('succeeded')
    const [revoke] = await connection.scenario.requestsTo('/api/revoke')
    expect(revoke?.method).toBe('POST')
    expect(revoke?.headers['content-type']).toBe('application/json')
    expect(revoke?.headers['x-revoke-for']).toBe('Bearer')
    expect(JSON.parse(revoke?.body ?? '')).toEqual({ token_hint: 'access_token', reason: 'user disconnected' })
    expect(bearerOf(revoke!)).toBe(`Bearer ${connection.tokens.access_token}`)
  })
})

describe('the proxy is the same engine', () => {
  it('applies the response handlers: HTTP 200 {ok: false, error: invalid_auth} refreshes and resends once', async () => {
    const connection = await connect('proxy-invalid-auth')
    await connection.scenario.script('/api/channels', [{ status: 200, body: { ok: false, error: 'invalid_auth' } }])

    const response = await connectionObject(connection.connectionId).proxy(connection.tenant, { path: '/channels', method: 'GET', headers: [], body: null })

    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ ok: true, path: '/api/channels' })
    expect(await connection.scenario.requestsTo('/token')).toHaveLength(1)
    expect(await connection.scenario.requestsTo('/api/channels')).toHaveLength(2)
  })

  it('retries a 429 after Retry-After and hands back the body of the answer that succeeded', async () => {
    const connection = await connect('proxy-429')
    await connection.scenario.script('/api/items', [{ status: 429, headers: { 'Retry-After': '0' } }])

    const response = await connectionObject(connection.connectionId).proxy(connection.tenant, { path: '/items', method: 'GET', headers: [], body: null })

    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ ok: true })
    expect(await connection.scenario.requestsTo('/api/items')).toHaveLength(2)
  })

  it('hands back the last 429 when the Retry-After exceeds the wait budget', async () => {
    const connection = await connect('proxy-429-long')
    await connection.scenario.script('/api/items', [{ status: 429, headers: { 'Retry-After': '3600' }, body: { error: 'later' } }])

    const response = await connectionObject(connection.connectionId).proxy(connection.tenant, { path: '/items', method: 'GET', headers: [], body: null })

    expect(response.status).toBe(429)
    expect(await response.json()).toEqual({ error: 'later' })
    expect(await connection.scenario.requestsTo('/api/items')).toHaveLength(1)
  })

  it('refuses an absolute URL outside baseUri even if the caller claims to be trusted connector code', async () => {
    const connection = await connect('proxy-trusted-flag')
    const call = { path: 'https://elsewhere.example/steal', method: 'GET', headers: [] as [string, string][], body: null, trusted: true }

    await expect(connectionObject(connection.connectionId).proxy(connection.tenant, call)).rejects.toMatchObject({ code: 'invalid_request' })
  })
})
