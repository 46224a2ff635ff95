/**
 * S12 against the real test upstream: one refresh in flight per connection, rotation that
 * never presents a retired refresh token, and invalid_grant that stops automatic attempts.
 */
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { describe, expect, it, vi } from 'vitest'
import { STORAGE_KEYS } from '../../src/connection/connection-storage.ts'
import { connectionObject, credentialsFrom, durableObject, openStoredCredentials, rawStorage, storeConnection, storedCredentials } from '../support/connections.ts'
import { errorCodeOf } from '../support/error-code.ts'

const EXPIRED = Date.now() - 60_000

describe('S12 single flight', () => {
  it('S12 100 concurrent getAccessToken calls on an expired connection make exactly one token request and all get the same new token', async () => {
    const connection = await storeConnection({ label: 's12-concurrent', expiresAt: EXPIRED })
    // A slow token endpoint keeps the refresh in flight while all 100 calls arrive.
    await connection.scenario.script('/token', [
      { status: 200, delayMs: 200, body: { access_token: 'at_after_refresh', token_type: 'Bearer', expires_in: 3600, refresh_token: 'rt_after_refresh' } },
    ])
    const stub = connectionObject(connection.connectionId)

    const tokens = await Promise.all(Array.from({ length: 100 }, () => stub.getAccessToken(connection.tenant)))

    expect(await connection.scenario.requestsTo('/token')).toHaveLength(1)
    expect(new Set(tokens.map((token) => token.accessToken))).toEqual(new Set(['at_after_refresh']))
    expect(await storedCredentials(connection.connectionId)).toMatchObject({ access_token: 'at_after_refresh', refresh_token: 'rt_after_refresh' })
  })

  it('S12 stores the new credentials before any caller receives the new access token', async () => {
    const connection = await storeConnection({ label: 's12-persist-first', expiresAt: EXPIRED })
    await connection.scenario.script('/token', [
      { status: 200, delayMs: 100, body: { access_token: 'at_persisted_first', token_type: 'Bearer', expires_in: 3600, refresh_token: 'rt_persisted_first' } },
    ])
    // Callers in the object's own isolate read raw storage in the very callback that hands
    // them the token: nothing can be written between the hand-out and the read.
    const received = await runInDurableObject(durableObject(connection.connectionId), (instance, state) =>
      Promise.all(
        Array.from({ length: 5 }, () => instance.getAccessToken(connection.tenant).then((token) => ({ token, sealedAtReceipt: state.storage.kv.get(STORAGE_KEYS.credentials) }))),
      ),
    )

    for (const { token, sealedAtReceipt } of received) {
      expect(token.accessToken).toBe('at_persisted_first')
      expect(await openStoredCredentials(sealedAtReceipt, connection.connectionId)).toMatchObject({
        access_token: 'at_persisted_first',
        refresh_token: 'rt_persisted_first',
        expires_at: token.expiresAt,
      })
    }
    expect(await connection.scenario.requestsTo('/token')).toHaveLength(1)
  })

  it('S12 a rotating refresh token survives: each refresh presents the latest one and the old one is never sent again', async () => {
    const connection = await storeConnection({ label: 's12-rotation', expiresAt: EXPIRED })
    const stub = connectionObject(connection.connectionId)

    await stub.getAccessToken(connection.tenant)
    // Concurrent forced refreshes against a server that revokes the grant on reuse.
    await Promise.all(Array.from({ length: 20 }, () => stub.refresh(connection.tenant)))
    await stub.refresh(connection.tenant)

    const presented = await connection.scenario.presentedRefreshTokens()
    expect(presented[0]).toBe(connection.tokens.refresh_token)
    expect(new Set(presented).size).toBe(presented.length)
    const stored = await storedCredentials(connection.connectionId)
    expect(presented).not.toContain(stored['refresh_token'])
    // The grant was never revoked: the current token works at the API.
    const response = await stub.proxy(connection.tenant, { path: '/me', method: 'GET', headers: [], body: null })
    expect(response.status).toBe(200)
    expect(await stub.getSummary(connection.tenant)).toMatchObject({ status: 'connected', lastError: null })
  })

  it('S12 a refresh response without refresh_token keeps the old refresh token', async () => {
    const connection = await storeConnection({ label: 's12-no-rotation', expiresAt: EXPIRED, upstreamConfig: { rotateRefreshTokens: false } })
    const stub = connectionObject(connection.connectionId)

    const first = await stub.getAccessToken(connection.tenant)
    await stub.refresh(connection.tenant)

    expect(first.accessToken).not.toBe(connection.tokens.access_token)
    expect(await connection.scenario.presentedRefreshTokens()).toEqual([connection.tokens.refresh_token, connection.tokens.refresh_token])
    expect(await storedCredentials(connection.connectionId)).toMatchObject({ refresh_token: connection.tokens.refresh_token })
  })
})

describe('S12 invalid_grant', () => {
  it('S12 invalid_grant marks the connection needs_reauth and no later call reaches the token endpoint', async () => {
    // The upstream answers invalid_grant for a refresh token it does not know (revoked).
    const connection = await storeConnection({ label: 's12-invalid-grant', expiresAt: EXPIRED })
    const stub = connectionObject(connection.connectionId)
    await connection.scenario.script('/token', [{ status: 400, body: { error: 'invalid_grant', error_description: 'revoked' } }])

    const calls = [
      () => stub.getAccessToken(connection.tenant),
      () => stub.getCredentials(connection.tenant),
      () => stub.refresh(connection.tenant),
      () => stub.getAccessToken(connection.tenant, { forceRefresh: true }),
      () => stub.proxy(connection.tenant, { path: '/me', method: 'GET', headers: [], body: null }),
    ]
    for (const call of [...calls, ...calls]) expect(await errorCodeOf(call)).toBe('needs_reauth')
    expect(await runDurableObjectAlarm(durableObject(connection.connectionId))).toBe(false)

    expect(await connection.scenario.requestsTo('/token')).toHaveLength(1)
    expect(await stub.getSummary(connection.tenant)).toMatchObject({ status: 'needs_reauth', lastError: { code: 'needs_reauth' } })
    expect(await storedCredentials(connection.connectionId)).toMatchObject({ refresh_token: connection.tokens.refresh_token })
  })

  it.each(['invalid_client', 'unauthorized_client'])('S12 %s from the token endpoint also marks the connection needs_reauth', async (error) => {
    const connection = await storeConnection({ label: `s12-${error}`, expiresAt: EXPIRED })
    await connection.scenario.script('/token', [{ status: 401, body: { error } }])
    expect(await errorCodeOf(() => connectionObject(connection.connectionId).getAccessToken(connection.tenant))).toBe('needs_reauth')
    expect(await errorCodeOf(() => connectionObject(connection.connectionId).getAccessToken(connection.tenant))).toBe('needs_reauth')
    expect(await connection.scenario.requestsTo('/token')).toHaveLength(1)
  })

  it('S12 reconnecting a needs_reauth connection (storeAuthorizedConnection again) makes it usable again', async () => {
    const connection = await storeConnection({ label: 's12-reconnect', expiresAt: EXPIRED })
    const stub = connectionObject(connection.connectionId)
    await connection.scenario.script('/token', [{ status: 400, body: { error: 'invalid_grant' } }])
    expect(await errorCodeOf(() => stub.getAccessToken(connection.tenant))).toBe('needs_reauth')

    const fresh = await connection.scenario.grant()
    const summary = await stub.storeAuthorizedConnection({
      connectionId: connection.connectionId,
      connectorKey: 'test-oauth',
      tenant: connection.tenant,
      connectionInput: { scenario: connection.scenario.id },
      credentials: credentialsFrom(fresh, Date.now() + 3_600_000),
    })

    expect(summary).toMatchObject({ status: 'connected', lastError: null, createdAt: connection.summary.createdAt })
    expect(await stub.getAccessToken(connection.tenant)).toMatchObject({ accessToken: fresh.access_token })
  })
})

describe('S12 refresh racing other writes', () => {
  const slowTokens = { status: 200, delayMs: 300, body: { access_token: 'at_from_slow_refresh', token_type: 'Bearer', expires_in: 3600, refresh_token: 'rt_from_slow_refresh' } }

  it('S12 a reconnect while a refresh is in flight wins: the refresh result is not stored', async () => {
    const connection = await storeConnection({ label: 's12-race-reconnect', expiresAt: EXPIRED })
    await connection.scenario.script('/token', [slowTokens])
    const stub = connectionObject(connection.connectionId)
    const fresh = await connection.scenario.grant()

    const pending = stub.getAccessToken(connection.tenant)
    await vi.waitFor(async () => expect(await connection.scenario.requestsTo('/token')).toHaveLength(1))
    await stub.storeAuthorizedConnection({
      connectionId: connection.connectionId,
      connectorKey: 'test-oauth',
      tenant: connection.tenant,
      connectionInput: { scenario: connection.scenario.id },
      credentials: credentialsFrom(fresh, Date.now() + 3_600_000),
    })

    expect(await pending).toMatchObject({ accessToken: fresh.access_token })
    expect(await storedCredentials(connection.connectionId)).toMatchObject({ access_token: fresh.access_token, refresh_token: fresh.refresh_token })
  })

  it('S12 a disconnect while a refresh is in flight leaves nothing stored', async () => {
    const connection = await storeConnection({ label: 's12-race-disconnect', expiresAt: EXPIRED })
    await connection.scenario.script('/token', [slowTokens])
    const stub = connectionObject(connection.connectionId)

    const pending = errorCodeOf(() => stub.getAccessToken(connection.tenant))
    await vi.waitFor(async () => expect(await connection.scenario.requestsTo('/token')).toHaveLength(1))
    await stub.disconnect(connection.tenant)

    expect(await pending).toBe('connection_not_found')
    expect(await rawStorage(connection.connectionId)).toEqual({})
  })
})
