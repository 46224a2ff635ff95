/**
 * Every operation of the HTTP API against real connections (Durable Objects, KV and the test
 * upstream): each answers what its LatchkeyService method returns.
 */
import { describe, expect, it } from 'vitest'
import { newTenant, storeConnection, storedSummary } from '../support/connections.ts'
import { UpstreamScenario } from '../support/upstream.ts'
import { TEST_API_KEYS } from './api-key-fixtures.ts'
import { callApi, problemOf } from './api-call.ts'

const key = TEST_API_KEYS.all.key

describe('reading connections', () => {
  it('GET /v1/connections pages through the tenant’s connections', async () => {
    const tenant = newTenant()
    const first = await storeConnection({ label: 'http-list-1', tenant })
    const second = await storeConnection({ label: 'http-list-2', tenant })
    await storeConnection({ label: 'http-list-other' })
    const ids = [first.connectionId, second.connectionId].sort()

    const all = await (await callApi('GET', '/v1/connections', { key, tenant })).json()
    expect(all).toEqual({ connections: expect.any(Array), nextCursor: null })
    expect((all as { connections: Array<{ connectionId: string }> }).connections.map((summary) => summary.connectionId)).toEqual(ids)

    const page1 = (await (await callApi('GET', '/v1/connections?limit=1', { key, tenant })).json()) as { connections: Array<{ connectionId: string }>; nextCursor: string }
    expect(page1.connections.map((summary) => summary.connectionId)).toEqual([ids[0]])
    const page2 = await (await callApi('GET', `/v1/connections?limit=1&cursor=${page1.nextCursor}`, { key, tenant })).json()
    expect(page2).toMatchObject({ connections: [{ connectionId: ids[1] }], nextCursor: null })
  })

  it.each(['0', '1001', 'ten', '-1'])('GET /v1/connections refuses limit=%s with invalid_request', async (limit) => {
    expect((await problemOf(await callApi('GET', `/v1/connections?limit=${limit}`, { key, tenant: newTenant() }), 400)).code).toBe('invalid_request')
  })

  it('GET /v1/connections refuses a cursor it did not make', async () => {
    expect((await problemOf(await callApi('GET', '/v1/connections?cursor=forged', { key, tenant: newTenant() }), 400)).code).toBe('invalid_request')
  })

  it('GET /v1/connections/{id} returns the summary, without secrets', async () => {
    const connection = await storeConnection({ label: 'http-get' })
    const response = await callApi('GET', `/v1/connections/${connection.connectionId}`, { key, tenant: connection.tenant })
    const text = await response.text()
    expect(JSON.parse(text)).toEqual(connection.summary)
    expect(text).not.toContain(connection.tokens.access_token)
  })
})

describe('tokens', () => {
  it('GET /v1/connections/{id}/access-token returns the access token and its expiry, never cached', async () => {
    const expiresAt = Date.now() + 3_600_000
    const connection = await storeConnection({ label: 'http-token', expiresAt })
    const response = await callApi('GET', `/v1/connections/${connection.connectionId}/access-token`, { key, tenant: connection.tenant })
    expect(await response.json()).toEqual({ accessToken: connection.tokens.access_token, expiresAt })
    expect(response.headers.get('Cache-Control')).toBe('no-store')
  })

  it('GET /v1/connections/{id}/access-token?forceRefresh=true refreshes a token that is not due', async () => {
    const connection = await storeConnection({ label: 'http-token-force' })
    const response = await callApi('GET', `/v1/connections/${connection.connectionId}/access-token?forceRefresh=true`, { key, tenant: connection.tenant })
    expect(((await response.json()) as { accessToken: string }).accessToken).not.toBe(connection.tokens.access_token)
    expect(await connection.scenario.requestsTo('/token')).toHaveLength(1)
  })

  it('GET /v1/connections/{id}/access-token refuses a forceRefresh that is not true or false', async () => {
    const connection = await storeConnection({ label: 'http-token-bad-query' })
    const response = await callApi('GET', `/v1/connections/${connection.connectionId}/access-token?forceRefresh=yes`, { key, tenant: connection.tenant })
    expect((await problemOf(response, 400)).code).toBe('invalid_request')
    expect(await connection.scenario.requestsTo('/token')).toEqual([])
  })

  it('S12 GET /v1/connections/{id}/credentials returns the credentials without the refresh token, refreshed when expired', async () => {
    const connection = await storeConnection({ label: 'http-credentials', expiresAt: Date.now() - 1000, extraCredentials: { accountId: 'acct-7' } })
    const response = await callApi('GET', `/v1/connections/${connection.connectionId}/credentials`, { key, tenant: connection.tenant })
    const text = await response.text()
    const credentials = JSON.parse(text) as Record<string, unknown>
    expect(credentials).toMatchObject({ accountId: 'acct-7', token_type: 'Bearer' })
    expect(credentials['access_token']).not.toBe(connection.tokens.access_token)
    expect(credentials).not.toHaveProperty('refresh_token')
    expect(text).not.toContain('rt_')
    expect(response.headers.get('Cache-Control')).toBe('no-store')
  })
})

describe('changing connections', () => {
  it('POST /v1/connect-urls returns a one-time URL for the header’s tenant', async () => {
    const response = await callApi('POST', '/v1/connect-urls', { key, tenant: newTenant(), json: { connectorKey: 'test-oauth', connectionInput: { scenario: 'http-connect' } } })
    const { url, expiresAt } = (await response.json()) as { url: string; expiresAt: number }
    expect(response.status).toBe(200)
    expect(new URL(url).origin).toBe('https://latchkey.test')
    expect(new URL(url).pathname).toBe('/connect/test-oauth')
    expect(expiresAt).toBeGreaterThan(Date.now())
  })

  it('POST /v1/connect-urls reports an unknown connector and refuses a tenant in the body', async () => {
    const unknown = await callApi('POST', '/v1/connect-urls', { key, tenant: newTenant(), json: { connectorKey: 'no-such-connector' } })
    expect((await problemOf(unknown, 404)).code).toBe('connector_not_found')
    const smuggled = await callApi('POST', '/v1/connect-urls', { key, tenant: newTenant(), json: { connectorKey: 'test-oauth', tenant: 'someone-else' } })
    const problem = await problemOf(smuggled, 400)
    expect(problem.code).toBe('invalid_request')
    expect(problem.detail).toContain('body')
  })

  it('POST /v1/connections creates a tested connection from typed credentials (201 and its Location)', async () => {
    const scenario = new UpstreamScenario(`http-create-${crypto.randomUUID()}`)
    const { access_token: apiKey } = await scenario.grant()
    const tenant = newTenant()

    const response = await callApi('POST', '/v1/connections', {
      key,
      tenant,
      json: { connectorKey: 'test-api-key', connectionInput: { scenario: scenario.id, region: 'eu', apiKey } },
    })

    expect(response.status).toBe(201)
    const summary = (await response.json()) as { connectionId: string; tenant: string; status: string }
    expect(summary).toMatchObject({ tenant, status: 'connected', connectorKey: 'test-api-key' })
    expect(response.headers.get('Location')).toBe(`/v1/connections/${summary.connectionId}`)
    expect(JSON.stringify(summary)).not.toContain(apiKey)
    expect(await storedSummary(summary.connectionId)).toEqual(summary)
  })

  it('POST /v1/connections refuses credentials that fail the connector test, storing nothing', async () => {
    const scenario = new UpstreamScenario(`http-create-bad-${crypto.randomUUID()}`)
    const tenant = newTenant()
    const response = await callApi('POST', '/v1/connections', {
      key,
      tenant,
      json: { connectorKey: 'test-api-key', connectionInput: { scenario: scenario.id, region: 'eu', apiKey: 'wrong-key-value' } },
    })
    expect((await problemOf(response, 400)).code).toBe('credentials_rejected')
    expect(await (await callApi('GET', '/v1/connections', { key, tenant })).json()).toEqual({ connections: [], nextCursor: null })
  })

  it('POST /v1/connections refuses a body that is not JSON, or without its Content-Type', async () => {
    const tenant = newTenant()
    const notJson = await callApi('POST', '/v1/connections', { key, tenant, body: '{"connectorKey":', headers: { 'Content-Type': 'application/json' } })
    expect((await problemOf(notJson, 400)).code).toBe('invalid_request')
    const noType = await callApi('POST', '/v1/connections', {
      key,
      tenant,
      body: '{"connectorKey":"test-api-key","connectionInput":{}}',
      headers: { 'Content-Type': 'text/plain' },
    })
    expect((await problemOf(noType, 400)).code).toBe('invalid_request')
  })

  it('POST /v1/connections/{id}/refresh refreshes now', async () => {
    const connection = await storeConnection({ label: 'http-refresh' })
    const response = await callApi('POST', `/v1/connections/${connection.connectionId}/refresh`, { key, tenant: connection.tenant })
    expect(await response.json()).toMatchObject({ connectionId: connection.connectionId, lastRefreshedAt: expect.any(Number) })
    expect(await connection.scenario.requestsTo('/token')).toHaveLength(1)
  })

  it('POST /v1/connections/{id}/test runs the connector test', async () => {
    const connection = await storeConnection({ label: 'http-test' })
    const response = await callApi('POST', `/v1/connections/${connection.connectionId}/test`, { key, tenant: connection.tenant })
    expect(await response.json()).toMatchObject({ testResult: { ok: true } })
  })

  it('DELETE /v1/connections/{id} disconnects, and the connection is gone', async () => {
    const connection = await storeConnection({ label: 'http-disconnect', connectorKey: 'conn-custom-refresh' })
    const response = await callApi('DELETE', `/v1/connections/${connection.connectionId}`, { key, tenant: connection.tenant })
    expect(await response.json()).toEqual({ connectionId: connection.connectionId, connectorDisconnect: 'succeeded' })
    expect(await storedSummary(connection.connectionId)).toBeNull()
    const again = await callApi('GET', `/v1/connections/${connection.connectionId}`, { key, tenant: connection.tenant })
    expect((await problemOf(again, 404)).code).toBe('connection_not_found')
  })

  it('a refresh the provider refuses answers needs_reauth as problem+json', async () => {
    const connection = await storeConnection({ label: 'http-needs-reauth' })
    await connection.scenario.revokeGrants()
    const response = await callApi('POST', `/v1/connections/${connection.connectionId}/refresh`, { key, tenant: connection.tenant })
    expect(await problemOf(response, 409)).toEqual({ type: 'about:blank', title: 'Conflict', status: 409, detail: expect.any(String), code: 'needs_reauth' })
  })
})

describe('connectors', () => {
  it('GET /v1/connectors lists every compiled connector with its readiness, for any tenant restriction and without a tenant', async () => {
    for (const candidate of [key, TEST_API_KEYS.acme.key]) {
      const response = await callApi('GET', '/v1/connectors', { key: candidate })
      const connectors = (await response.json()) as Array<{ key: string; ready: boolean; authTypes: string[]; problems: unknown[] }>
      expect(response.status).toBe(200)
      expect(connectors.find((connector) => connector.key === 'test-oauth')).toMatchObject({ ready: true, authTypes: ['oauth2'], problems: [] })
      expect(connectors.map((connector) => connector.key)).toEqual(connectors.map((connector) => connector.key).sort())
    }
  })
})
