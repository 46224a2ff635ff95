/**
 * Refresh ahead of expiry by Durable Object alarm. `runDurableObjectAlarm` runs a scheduled
 * alarm now, whatever its time; alarms are at-least-once, so a second run must change nothing.
 */
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { expect, it } from 'vitest'
import { REFRESH_AHEAD_MS } from '../../src/connection/connection-record.ts'
import { connectionObject, durableObject, storeConnection, storedCredentials } from '../support/connections.ts'

function scheduledAlarm(connectionId: string): Promise<number | null> {
  return runInDurableObject(durableObject(connectionId), (_instance, state) => state.storage.getAlarm())
}

it('schedules the refresh alarm REFRESH_AHEAD_MS before the access token expires', async () => {
  const expiresAt = Date.now() + 3_600_000
  const connection = await storeConnection({ label: 'alarm-schedule', expiresAt })
  expect(await scheduledAlarm(connection.connectionId)).toBe(expiresAt - REFRESH_AHEAD_MS)
})

it('the alarm refreshes a due connection, and a repeated alarm makes no further token request', async () => {
  const connection = await storeConnection({ label: 'alarm-refresh', expiresAt: Date.now() - 1000 })
  const stub = connectionObject(connection.connectionId)

  expect(await runDurableObjectAlarm(durableObject(connection.connectionId))).toBe(true)
  const refreshed = await storedCredentials(connection.connectionId)
  expect(refreshed['access_token']).not.toBe(connection.tokens.access_token)
  expect(await scheduledAlarm(connection.connectionId)).toBe((refreshed['expires_at'] as number) - REFRESH_AHEAD_MS)

  expect(await runDurableObjectAlarm(durableObject(connection.connectionId))).toBe(true)
  expect(await connection.scenario.requestsTo('/token')).toHaveLength(1)
  expect(await stub.getSummary(connection.tenant)).toMatchObject({ status: 'connected', lastRefreshedAt: expect.any(Number) })
})

it('an alarm whose refresh fails transiently keeps the credentials and schedules a later retry', async () => {
  const connection = await storeConnection({ label: 'alarm-retry', expiresAt: Date.now() - 1000 })
  await connection.scenario.script('/token', [{ status: 503 }, { status: 503 }, { status: 503 }])
  const before = Date.now()

  expect(await runDurableObjectAlarm(durableObject(connection.connectionId))).toBe(true)

  expect(await connection.scenario.requestsTo('/token')).toHaveLength(3)
  expect(await storedCredentials(connection.connectionId)).toMatchObject({ access_token: connection.tokens.access_token })
  expect(await scheduledAlarm(connection.connectionId)).toBeGreaterThanOrEqual(before + 60_000)
})

it('a connection without a known expiry gets no alarm', async () => {
  const connection = await storeConnection({ label: 'alarm-none', expiresAt: null })
  expect(await scheduledAlarm(connection.connectionId)).toBeNull()
})
