/**
 * LatchkeyService through a real service binding (LATCHKEY_SELF in wrangler.toml), called
 * with the typed client another Worker would use (examples/caller-worker).
 */
import { runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { LatchkeyClient, LatchkeyClientError } from '@latchkey/client'
import { newConnectionId } from '../../src/connection-id.ts'
import { connectionObject, durableObject, newTenant, rawStorage, storeConnection, storedCredentials } from '../support/connections.ts'
import { clientErrorCodeOf } from '../support/error-code.ts'

const latchkey = new LatchkeyClient(env.LATCHKEY_SELF)

describe('reading credentials', () => {
  it('getAccessToken returns the access token and its expiry', async () => {
    const expiresAt = Date.now() + 3_600_000
    const connection = await storeConnection({ label: 'svc-token', expiresAt })
    expect(await latchkey.getAccessToken(connection.tenant, connection.connectionId)).toEqual({ accessToken: connection.tokens.access_token, expiresAt })
  })

  it('getAccessToken with forceRefresh refreshes even a token that is not due', async () => {
    const connection = await storeConnection({ label: 'svc-force' })
    const token = await latchkey.getAccessToken(connection.tenant, connection.connectionId, { forceRefresh: true })
    expect(token.accessToken).not.toBe(connection.tokens.access_token)
    expect(await connection.scenario.requestsTo('/token')).toHaveLength(1)
  })

  it('getCredentials returns every stored field but the refresh token, refreshed first when expired', async () => {
    const connection = await storeConnection({ label: 'svc-credentials', expiresAt: Date.now() - 1000, extraCredentials: { accountId: 'acct-9' } })
    const credentials = await latchkey.getCredentials(connection.tenant, connection.connectionId)
    expect(credentials).toMatchObject({ accountId: 'acct-9', token_type: 'Bearer' })
    expect(credentials['access_token']).not.toBe(connection.tokens.access_token)
    expect(credentials).not.toHaveProperty('refresh_token')
  })

  it('S12 no RPC answer carries the refresh token: a caller cannot refresh outside the single flight', async () => {
    const connection = await storeConnection({ label: 'svc-no-refresh-token', expiresAt: Date.now() - 1000 })
    const { tenant, connectionId } = connection
    const answers = [
      await latchkey.getCredentials(tenant, connectionId),
      await latchkey.getAccessToken(tenant, connectionId),
      await latchkey.refresh(tenant, connectionId),
      await latchkey.getConnection(tenant, connectionId),
      await latchkey.listConnections(tenant),
      await latchkey.testConnection(tenant, connectionId),
      // The connection object's own RPC surface, as the service and the flow call it.
      await connectionObject(connectionId).getCredentials(tenant),
      await connectionObject(connectionId).getSummary(tenant),
    ]
    const stored = await storedCredentials(connectionId)
    const issued = [connection.tokens.refresh_token, stored['refresh_token']]
    expect(issued.every((token) => typeof token === 'string' && token.startsWith('rt_'))).toBe(true)
    for (const answer of answers) for (const token of issued) expect(JSON.stringify(answer)).not.toContain(token)
  })

  it('getConnection returns status and times without secrets', async () => {
    const connection = await storeConnection({ label: 'svc-summary' })
    const summary = await latchkey.getConnection(connection.tenant, connection.connectionId)
    expect(summary).toEqual(connection.summary)
    expect(JSON.stringify(summary)).not.toContain(connection.tokens.access_token)
  })
})

describe('the user verifier through the typed client', () => {
  it('S21 confirmUserVerification refuses a forged flow token with a typed code', async () => {
    expect(await clientErrorCodeOf(() => latchkey.confirmUserVerification('flow_forged.0.AAAA', newTenant()))).toBe('user_verification_failed')
  })
})

describe('tenants and ids', () => {
  it('S14 a caller reaches only connections of the tenant it names: every method answers connection_not_found for another tenant', async () => {
    const connection = await storeConnection({ label: 'svc-tenant' })
    const intruder = newTenant()
    const calls = [
      () => latchkey.getAccessToken(intruder, connection.connectionId),
      () => latchkey.getCredentials(intruder, connection.connectionId),
      () => latchkey.proxy(intruder, connection.connectionId, { path: '/me' }),
      () => latchkey.getConnection(intruder, connection.connectionId),
      () => latchkey.refresh(intruder, connection.connectionId),
      () => latchkey.testConnection(intruder, connection.connectionId),
      () => latchkey.disconnect(intruder, connection.connectionId),
    ]
    for (const call of calls) expect(await clientErrorCodeOf(call)).toBe('connection_not_found')

    expect((await latchkey.listConnections(intruder)).connections).toEqual([])
    expect(await latchkey.getConnection(connection.tenant, connection.connectionId)).toMatchObject({ status: 'connected' })
    expect((await connection.scenario.log()).requests).toEqual([])
  })

  it.each([
    { label: 'an unknown connection id', connectionId: () => newConnectionId() },
    { label: 'a malformed connection id', connectionId: () => 'conn_../../etc' },
    { label: 'a connection id of the wrong type', connectionId: () => 42 as unknown as string },
  ])('answers connection_not_found for $label', async ({ connectionId }) => {
    expect(await clientErrorCodeOf(() => latchkey.getAccessToken(newTenant(), connectionId()))).toBe('connection_not_found')
  })

  it.each([
    { label: 'an empty tenant', tenant: '' },
    { label: 'an oversized tenant', tenant: 'x'.repeat(257) },
  ])('answers invalid_request for $label', async ({ tenant }) => {
    expect(await clientErrorCodeOf(() => latchkey.listConnections(tenant))).toBe('invalid_request')
    expect(await clientErrorCodeOf(() => latchkey.getAccessToken(tenant, newConnectionId()))).toBe('invalid_request')
  })

  it('listConnections lists exactly the connections of the tenant, and forgets a disconnected one', async () => {
    const tenant = newTenant()
    const first = await storeConnection({ label: 'svc-list-1', tenant })
    const second = await storeConnection({ label: 'svc-list-2', tenant, connectorKey: 'conn-custom-refresh' })
    await storeConnection({ label: 'svc-list-other' })

    const listed = (await latchkey.listConnections(tenant)).connections
    expect(listed.map((summary) => summary.connectionId).sort()).toEqual([first.connectionId, second.connectionId].sort())
    expect(listed.find((summary) => summary.connectionId === second.connectionId)).toEqual(second.summary)

    await latchkey.disconnect(tenant, first.connectionId)
    expect((await latchkey.listConnections(tenant)).connections.map((summary) => summary.connectionId)).toEqual([second.connectionId])
  })
})

describe('refresh, test and disconnect', () => {
  it('refresh refreshes now and returns the summary', async () => {
    const connection = await storeConnection({ label: 'svc-refresh' })
    const summary = await latchkey.refresh(connection.tenant, connection.connectionId)
    expect(summary.lastRefreshedAt).toEqual(expect.any(Number))
    expect(await connection.scenario.requestsTo('/token')).toHaveLength(1)
  })

  it('testConnection runs the connector test and records it', async () => {
    const connection = await storeConnection({ label: 'svc-test' })
    expect(await latchkey.testConnection(connection.tenant, connection.connectionId)).toMatchObject({ testResult: { ok: true } })
  })

  it("disconnect runs the connector's disconnect method with the credentials, then deletes storage and alarm", async () => {
    const connection = await storeConnection({ label: 'svc-disconnect', connectorKey: 'conn-custom-refresh' })

    expect(await latchkey.disconnect(connection.tenant, connection.connectionId)).toEqual({
      connectionId: connection.connectionId,
      connectorDisconnect: 'succeeded',
    })

    const [revoke] = await connection.scenario.requestsTo('/revoke')
    expect(new URLSearchParams(revoke?.body).get('token')).toBe(connection.tokens.refresh_token)
    expect(await rawStorage(connection.connectionId)).toEqual({})
    expect(await runInDurableObject(durableObject(connection.connectionId), (_instance, state) => state.storage.getAlarm())).toBeNull()
    expect(await clientErrorCodeOf(() => latchkey.getConnection(connection.tenant, connection.connectionId))).toBe('connection_not_found')
    expect(await clientErrorCodeOf(() => latchkey.getAccessToken(connection.tenant, connection.connectionId))).toBe('connection_not_found')
  })

  it('disconnect of a connector without a disconnect method deletes the connection', async () => {
    const connection = await storeConnection({ label: 'svc-disconnect-plain' })
    expect(await latchkey.disconnect(connection.tenant, connection.connectionId)).toMatchObject({ connectorDisconnect: 'absent' })
    expect(await rawStorage(connection.connectionId)).toEqual({})
  })
})

describe('connect URLs', () => {
  it("createConnectUrl returns a one-time URL on Latchkey's public origin", async () => {
    const { url, expiresAt } = await latchkey.createConnectUrl({ tenant: newTenant(), connectorKey: 'test-oauth', connectionInput: { scenario: 'svc-connect' } })
    expect(new URL(url).origin).toBe('https://latchkey.test')
    expect(new URL(url).pathname).toBe('/connect/test-oauth')
    expect(expiresAt).toBeGreaterThan(Date.now())
  })

  it("createConnectUrl for a reconnect starts from the connection's stored input, and only for its tenant", async () => {
    const connection = await storeConnection({ label: 'svc-reconnect-url' })
    const options = { connectorKey: 'test-oauth', connectionId: connection.connectionId }

    const { url } = await latchkey.createConnectUrl({ tenant: connection.tenant, ...options })

    expect(new URL(url).pathname).toBe('/connect/test-oauth')
    expect(await clientErrorCodeOf(() => latchkey.createConnectUrl({ tenant: newTenant(), ...options }))).toBe('connection_not_found')
  })

  it('createConnectUrl reports an unknown connector as connector_not_found', async () => {
    expect(await clientErrorCodeOf(() => latchkey.createConnectUrl({ tenant: newTenant(), connectorKey: 'no-such-connector' }))).toBe('connector_not_found')
  })
})

describe('errors over RPC', () => {
  it('keep their stable code across the service binding', async () => {
    let received: unknown
    try {
      await (env.LATCHKEY_SELF as unknown as { getConnection(tenant: string, id: string): Promise<unknown> }).getConnection(newTenant(), newConnectionId())
    } catch (error) {
      received = error
    }
    // What arrives is a plain Error: the code survives only in the message, which the client decodes.
    expect(received).toBeInstanceOf(Error)
    expect(received).not.toBeInstanceOf(LatchkeyClientError)
    expect(await clientErrorCodeOf(() => latchkey.getConnection(newTenant(), newConnectionId()))).toBe('connection_not_found')
  })
})
