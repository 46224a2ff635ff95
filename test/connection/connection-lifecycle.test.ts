/**
 * The flow's side of the contract: storeAuthorizedConnection, testConnection, getSummary.
 */
import { describe, expect, it } from 'vitest'
import { newConnectionId } from '../../src/connection-id.ts'
import { connectionObject, credentialsFrom, newTenant, storeConnection, storedCredentials, storedSummary } from '../support/connections.ts'
import { errorCodeOf } from '../support/error-code.ts'
import { UpstreamScenario } from '../support/upstream.ts'

describe('storeAuthorizedConnection', () => {
  it('creates a connected connection whose summary carries times and expiry', async () => {
    const expiresAt = Date.now() + 3_600_000
    const connection = await storeConnection({ label: 'store-create', expiresAt })
    expect(connection.summary).toEqual({
      connectionId: connection.connectionId,
      connectorKey: 'test-oauth',
      authOption: null,
      tenant: connection.tenant,
      status: 'connected',
      lastError: null,
      testResult: null,
      createdAt: expect.any(Number),
      updatedAt: connection.summary.createdAt,
      lastRefreshedAt: null,
      expiresAt,
      accountLabel: null,
      accountId: null,
    })
    expect(await connectionObject(connection.connectionId).getSummary(connection.tenant)).toEqual(connection.summary)
  })

  it('replaces the credentials on reconnect and keeps createdAt', async () => {
    const connection = await storeConnection({ label: 'store-reconnect' })
    const fresh = await connection.scenario.grant()
    const summary = await connectionObject(connection.connectionId).storeAuthorizedConnection({
      connectionId: connection.connectionId,
      connectorKey: 'test-oauth',
      tenant: connection.tenant,
      connectionInput: { scenario: connection.scenario.id },
      credentials: credentialsFrom(fresh, Date.now() + 3_600_000),
    })
    expect(summary.createdAt).toBe(connection.summary.createdAt)
    expect(await storedCredentials(connection.connectionId)).toMatchObject({ access_token: fresh.access_token })
  })

  it('refuses to store over a connection of another tenant or connector, and changes nothing', async () => {
    const connection = await storeConnection({ label: 'store-foreign' })
    const stub = connectionObject(connection.connectionId)
    const attempt = (tenant: string, connectorKey: string) => () =>
      stub.storeAuthorizedConnection({
        connectionId: connection.connectionId,
        connectorKey,
        tenant,
        connectionInput: { scenario: connection.scenario.id },
        credentials: { access_token: 'at_intruder' },
      })

    expect(await errorCodeOf(attempt(newTenant(), 'test-oauth'))).toBe('connection_not_found')
    expect(await errorCodeOf(attempt(connection.tenant, 'conn-custom-refresh'))).toBe('invalid_request')
    expect(await storedCredentials(connection.connectionId)).toMatchObject({ access_token: connection.tokens.access_token })
  })

  it.each([
    { label: 'a malformed connection id', input: { connectionId: 'conn_short' }, code: 'invalid_request' },
    { label: 'an empty tenant', input: { tenant: '' }, code: 'invalid_request' },
    { label: 'an unknown connector', input: { connectorKey: 'no-such-connector' }, code: 'connector_not_found' },
    { label: 'credentials that are not an object', input: { credentials: 'at_plain' }, code: 'invalid_request' },
    { label: 'connection input that is not an object', input: { connectionInput: ['x'] }, code: 'invalid_request' },
  ])('refuses $label with $code', async ({ input, code }) => {
    const connectionId = newConnectionId()
    const valid = { connectionId, connectorKey: 'test-oauth', tenant: newTenant(), connectionInput: { scenario: new UpstreamScenario().id }, credentials: { access_token: 'at_x' } }
    expect(await errorCodeOf(() => connectionObject(connectionId).storeAuthorizedConnection({ ...valid, ...input } as typeof valid))).toBe(code)
    expect(await storedSummary(connectionId)).toBeNull()
  })
})

describe('testConnection', () => {
  it('records a passing test', async () => {
    const connection = await storeConnection({ label: 'test-pass' })
    const summary = await connectionObject(connection.connectionId).testConnection(connection.tenant)
    expect(summary).toMatchObject({ status: 'connected', testResult: { ok: true, at: expect.any(Number) } })
  })

  it('passes the evaluated makeApiClient (fields under args:) to the test as apiClient', async () => {
    const connection = await storeConnection({ label: 'test-api-client', connectorKey: 'conn-custom-refresh' })
    const summary = await connectionObject(connection.connectionId).testConnection(connection.tenant)
    expect(summary.testResult).toMatchObject({ ok: true })
  })

  it('records a failing test as status error, and a later passing test clears it', async () => {
    const connection = await storeConnection({ label: 'test-fail' })
    const stub = connectionObject(connection.connectionId)
    await connection.scenario.expireAccessTokens()

    expect(await stub.testConnection(connection.tenant)).toMatchObject({
      status: 'error',
      lastError: { code: 'connection_test_failed' },
      testResult: { ok: false, code: 'connection_test_failed' },
    })

    await stub.refresh(connection.tenant)
    expect(await stub.testConnection(connection.tenant)).toMatchObject({ status: 'connected', lastError: null, testResult: { ok: true } })
  })

  it('answers connection_not_found for an empty object, whose summary is null', async () => {
    const connectionId = newConnectionId()
    expect(await errorCodeOf(() => connectionObject(connectionId).testConnection(newTenant()))).toBe('connection_not_found')
    expect(await storedSummary(connectionId)).toBeNull()
  })
})
