/**
 * Token responses built to break the connection object: a `__proto__` field (S11) and a
 * lifetime no alarm can be set for (S18). A refresh either stores a consistent result or
 * nothing; the connection is never half-written.
 */
import { runInDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { MAX_ALARM_AHEAD_MS } from '../../src/connection/connection-record.ts'
import { newConnectionId } from '../../src/connection-id.ts'
import { connectionObject, credentialsFrom, durableObject, newTenant, rawStorage, storeConnection, storedCredentials } from '../support/connections.ts'
import { errorCodeOf } from '../support/error-code.ts'
import { UpstreamScenario } from '../support/upstream.ts'

const EXPIRED = Date.now() - 60_000

function scheduledAlarm(connectionId: string): Promise<number | null> {
  return runInDurableObject(durableObject(connectionId), (_instance, state) => state.storage.getAlarm())
}

describe('S11 __proto__ in a refresh response', () => {
  it('S11 a __proto__ field cannot lend the refreshed credentials an expiry (or anything else)', async () => {
    const connection = await storeConnection({ label: 'proto-refresh', expiresAt: EXPIRED })
    const stub = connectionObject(connection.connectionId)
    await connection.scenario.script('/token', [
      { status: 200, headers: { 'Content-Type': 'application/json' }, body: '{"access_token":"x","__proto__":{"expires_at":12345,"refresh_token":"rt_from_proto"}}' },
    ])

    const token = await stub.getAccessToken(connection.tenant)

    expect(token).toEqual({ accessToken: 'x', expiresAt: null })
    const stored = await storedCredentials(connection.connectionId)
    expect(Object.keys(stored)).not.toContain('__proto__')
    expect(stored).toMatchObject({ access_token: 'x', refresh_token: connection.tokens.refresh_token })
    expect(stored['expires_at']).toBeUndefined()
    // The token counts as valid (no known expiry): no second refresh.
    expect(await stub.getAccessToken(connection.tenant)).toEqual({ accessToken: 'x', expiresAt: null })
    expect(await connection.scenario.requestsTo('/token')).toHaveLength(1)
  })
})

describe('S18 lifetimes no alarm can be set for', () => {
  it.each([
    { label: 'a number', expiresIn: 1e300 },
    { label: 'a numeric string', expiresIn: '999999999999' },
    { label: 'one second over 10 years', expiresIn: 10 * 365 * 24 * 3600 + 1 },
  ])('S18 a refresh response with expires_in as $label beyond 10 years is refused and nothing is written', async ({ expiresIn }) => {
    const connection = await storeConnection({ label: 'huge-expiry-refresh', expiresAt: EXPIRED })
    const stub = connectionObject(connection.connectionId)
    const before = await rawStorage(connection.connectionId)
    await connection.scenario.script('/token', [{ status: 200, body: { access_token: 'at_forever', token_type: 'Bearer', expires_in: expiresIn, refresh_token: 'rt_forever' } }])

    expect(await errorCodeOf(() => stub.getAccessToken(connection.tenant))).toBe('refresh_failed')

    expect(await storedCredentials(connection.connectionId)).toEqual(credentialsFrom(connection.tokens, EXPIRED))
    const after = await rawStorage(connection.connectionId)
    expect(after['credentials']).toEqual(before['credentials'])
    expect(after['connection']).toMatchObject({ expiresAt: EXPIRED, status: 'error', lastError: { code: 'refresh_failed' } })
  })

  it('S18 a lifetime of exactly 10 years is stored, and its refresh alarm is set no further than a year ahead', async () => {
    const connection = await storeConnection({ label: 'ten-years', expiresAt: EXPIRED })
    await connection.scenario.script('/token', [{ status: 200, body: { access_token: 'at_decade', token_type: 'Bearer', expires_in: 10 * 365 * 24 * 3600 } }])
    const before = Date.now()

    const token = await connectionObject(connection.connectionId).getAccessToken(connection.tenant)

    expect(token.accessToken).toBe('at_decade')
    expect(token.expiresAt).toBeGreaterThanOrEqual(before + 10 * 365 * 24 * 3600_000)
    const alarm = await scheduledAlarm(connection.connectionId)
    expect(alarm).toBeGreaterThan(before)
    expect(alarm).toBeLessThanOrEqual(Date.now() + MAX_ALARM_AHEAD_MS)
  })

  it('S18 credentials whose connector set an expires_at after 2189 are stored whole, with an alarm that could be set', async () => {
    const connectionId = newConnectionId()
    const tenant = newTenant()
    const stub = connectionObject(connectionId)
    const summary = await stub.storeAuthorizedConnection({
      connectionId,
      connectorKey: 'test-oauth',
      tenant,
      connectionInput: { scenario: new UpstreamScenario().id },
      credentials: { access_token: 'at_far', expires_at: 1e300 },
    })

    expect(summary).toMatchObject({ connectionId, status: 'connected', expiresAt: 1e300 })
    expect(await storedCredentials(connectionId)).toEqual({ access_token: 'at_far', expires_at: 1e300 })
    expect(await scheduledAlarm(connectionId)).toBeLessThanOrEqual(Date.now() + MAX_ALARM_AHEAD_MS)
    expect(await stub.getAccessToken(tenant)).toEqual({ accessToken: 'at_far', expiresAt: 1e300 })
  })
})
