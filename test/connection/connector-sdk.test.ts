/**
 * Membrane connectors that import `@integration-app/connector-sdk` and
 * `@integration-app/sdk/errors` run unchanged: the connector test-rest-api-client
 * (test/fixtures/connectors/) returns the SDK's RestApiClient from makeApiClient, with an
 * onError hook that throws a keyed ConnectionError, and its test reads Membrane's error shape.
 */
import { describe, expect, it } from 'vitest'
import { connectionObject, storeConnection } from '../support/connections.ts'

const CONNECTOR = 'test-rest-api-client'

describe('a makeApiClient returning RestApiClient', () => {
  it('is read as the API client configuration: the test connects through it', async () => {
    const connection = await storeConnection({ label: 'sdk-connect', connectorKey: CONNECTOR })
    const summary = await connectionObject(connection.connectionId).testConnection(connection.tenant)

    expect(summary).toMatchObject({ status: 'connected', testResult: { ok: true } })
    const [request] = await connection.scenario.requestsTo('/api/users/me')
    expect(request?.headers['authorization']).toBe(`Bearer ${connection.tokens.access_token}`)
  })

  it('onError throwing ConnectionError ACCESS_TOKEN_EXPIRED refreshes once and retries', async () => {
    const connection = await storeConnection({ label: 'sdk-onerror', connectorKey: CONNECTOR })
    await connection.scenario.script('/api/users/me', [{ status: 403, body: { error: 'token_expired' } }])

    const summary = await connectionObject(connection.connectionId).testConnection(connection.tenant)

    expect(summary).toMatchObject({ status: 'connected', testResult: { ok: true } })
    expect(await connection.scenario.requestsTo('/token')).toHaveLength(1)
    expect(await connection.scenario.requestsTo('/api/users/me')).toHaveLength(2)
  })

  it("hands the test Membrane's error shape: the response body is e.data.data", async () => {
    const connection = await storeConnection({ label: 'sdk-errorshape', connectorKey: CONNECTOR })
    await connection.scenario.script('/api/users/me', [{ status: 400, body: { success: false, errorCode: 401 } }])

    const summary = await connectionObject(connection.connectionId).testConnection(connection.tenant)

    // The connector's own error replaced the API error: it saw errorCode in e.data.data.
    expect(summary).toMatchObject({ status: 'error', testResult: { ok: false, code: 'connector_method_failed' } })
    expect(summary.testResult?.message).not.toContain('answered HTTP 400')
  })

  it('the proxy sends through the same configuration, onError included', async () => {
    const connection = await storeConnection({ label: 'sdk-proxy', connectorKey: CONNECTOR })
    await connection.scenario.script('/api/deals', [{ status: 403, body: { error: 'token_expired' } }])

    const response = await connectionObject(connection.connectionId).proxy(connection.tenant, { path: '/deals', method: 'GET', headers: [], body: null })

    expect(response.status).toBe(200)
    expect(await connection.scenario.requestsTo('/token')).toHaveLength(1)
  })
})
