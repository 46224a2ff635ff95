/**
 * S19: a refresh cut off by a crash, deploy or eviction. The test upstream rotates the
 * refresh token and then holds its answer back; the connection object is aborted while it
 * waits (the provider has rotated, Latchkey never learns the new token) and the next call
 * starts a new instance on the same storage. The documented rule: retry at once with the
 * stored refresh token; a provider with a grace period answers and the connection recovers,
 * one that revokes on reuse leaves it needs_reauth with a `connection.refresh_interrupted` event.
 */
import { runInDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import type { ConnectionEvent } from '../../src/connection/events/connection-event.ts'
import { connectionObject, durableObject, rawStorage, storeConnection, type StoredConnection } from '../support/connections.ts'
import { errorCodeOf } from '../support/error-code.ts'
import { webhookDeliveries } from '../support/upstream.ts'

/** Polls `condition` until it holds (the refresh runs in another request); fails after `limitMs`. */
async function eventually(condition: () => Promise<boolean>, limitMs = 20_000): Promise<void> {
  const until = Date.now() + limitMs
  while (!(await condition())) {
    if (Date.now() > until) throw new Error('condition not reached')
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** Starts a refresh, lets the provider rotate, and aborts the object before the answer arrives. */
async function interruptRefresh(connection: StoredConnection): Promise<void> {
  await connection.scenario.configure({ refreshAnswerDelayMs: 600_000 })
  const inFlight = connectionObject(connection.connectionId)
    .refresh(connection.tenant)
    .catch((error: unknown) => error)
  await eventually(async () => (await connection.scenario.requestsTo('/token')).length === 1)
  await runInDurableObject(durableObject(connection.connectionId), (_instance, state) => state.abort('S19 test: the object stops mid-refresh')).catch(() => undefined)
  expect(await inFlight).toBeInstanceOf(Error)
  await connection.scenario.configure({ refreshAnswerDelayMs: 0 })
}

function recordOf(storage: Record<string, unknown>): Record<string, unknown> {
  return storage['connection'] as Record<string, unknown>
}

describe('S19 a refresh interrupted mid-request', () => {
  it('S19 is detected when the object starts again: the refresh is due at once, the alarm set', async () => {
    const connection = await storeConnection({ label: 's19-detect', expiresAt: Date.now() - 1000, upstreamConfig: { rotationGraceMs: 60_000 } })
    await interruptRefresh(connection)
    const before = Date.now()

    // Any call starts the new instance; reading the summary does not refresh.
    await connectionObject(connection.connectionId).getSummary(connection.tenant)

    const record = recordOf(await rawStorage(connection.connectionId))
    expect(record['refreshStartedAt']).not.toBeNull()
    expect(record['refreshAt']).toBeGreaterThanOrEqual(before)
    expect(record['refreshAt']).toBeLessThanOrEqual(Date.now())
    expect(await runInDurableObject(durableObject(connection.connectionId), (_instance, state) => state.storage.getAlarm())).not.toBeNull()
  })

  it('S19 against a provider with a grace period the retry with the same refresh token recovers the connection', async () => {
    const connection = await storeConnection({ label: 's19-grace', expiresAt: Date.now() - 1000, upstreamConfig: { rotationGraceMs: 60_000 } })
    await interruptRefresh(connection)

    const token = await connectionObject(connection.connectionId).getAccessToken(connection.tenant)

    expect(token.accessToken).not.toBe(connection.tokens.access_token)
    expect(await connection.scenario.presentedRefreshTokens()).toEqual([connection.tokens.refresh_token, connection.tokens.refresh_token])
    const record = recordOf(await rawStorage(connection.connectionId))
    expect(record).toMatchObject({ status: 'connected', refreshStartedAt: null, lastError: null })
  })

  it('S19 against a provider that revokes on reuse: needs_reauth with a distinct event, and no further token request', async () => {
    const connection = await storeConnection({ label: 's19-revoke', expiresAt: Date.now() - 1000 })
    await interruptRefresh(connection)
    const stub = connectionObject(connection.connectionId)

    expect(await errorCodeOf(() => stub.getAccessToken(connection.tenant))).toBe('needs_reauth')
    expect(await errorCodeOf(() => stub.getAccessToken(connection.tenant))).toBe('needs_reauth')

    expect(await connection.scenario.presentedRefreshTokens()).toEqual([connection.tokens.refresh_token, connection.tokens.refresh_token])
    const summary = await stub.getSummary(connection.tenant)
    expect(summary).toMatchObject({ status: 'needs_reauth', lastError: { code: 'needs_reauth' } })
    expect(summary.lastError?.message).toContain('A refresh was interrupted')
    await eventually(async () =>
      (await webhookDeliveries(connection.connectionId)).some((request) => (JSON.parse(request.body) as ConnectionEvent).type === 'connection.refresh_interrupted'),
    )
  })
})
