/**
 * Refresh failures against the real test upstream (scripted answers): transient ones are
 * retried within bounds, then surfaced as typed errors with the stored credentials intact;
 * Retry-After is honoured, and after a failure automatic refreshes wait for the backoff (S12:
 * no hammering). Waits are milliseconds here (REFRESH_* bindings in vitest.config.ts); the
 * backoff is passed by moving the clock (`vi.setSystemTime`: the test isolate is the Worker's).
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { ConnectionRecord } from '../../src/connection/connection-record.ts'
import { connectionObject, rawStorage, storeConnection, storedCredentials } from '../support/connections.ts'
import { errorCodeOf } from '../support/error-code.ts'

const EXPIRED = Date.now() - 60_000

afterEach(() => {
  vi.useRealTimers()
})

/** When the connection object plans its next refresh attempt (the backoff after a failure). */
async function nextRefreshAt(connectionId: string): Promise<number> {
  const record = (await rawStorage(connectionId))['connection'] as ConnectionRecord
  if (record.refreshAt === null) throw new Error('no refresh planned')
  return record.refreshAt
}

describe('transient token endpoint failures', () => {
  it.each([
    { label: '500', answer: { status: 500, body: { error: 'server_error' } }, code: 'upstream_unavailable' },
    { label: '503 with a text body', answer: { status: 503, body: 'Service Unavailable' }, code: 'upstream_unavailable' },
    { label: '429 with Retry-After in seconds', answer: { status: 429, headers: { 'Retry-After': '0' } }, code: 'rate_limited' },
    {
      label: '429 with Retry-After as an HTTP-date',
      answer: { status: 429, headers: { 'Retry-After': new Date(Date.now() - 1000).toUTCString() } },
      code: 'rate_limited',
    },
  ])('S12 retries $label three times, then reports $code and keeps the stored credentials until the backoff passes', async ({ label, answer, code }) => {
    const connection = await storeConnection({ label: `fail-${label.replaceAll(' ', '-')}`, expiresAt: EXPIRED })
    const stub = connectionObject(connection.connectionId)
    await connection.scenario.script('/token', [answer, answer, answer])

    expect(await errorCodeOf(() => stub.getAccessToken(connection.tenant))).toBe(code)

    expect(await connection.scenario.requestsTo('/token')).toHaveLength(3)
    expect(await storedCredentials(connection.connectionId)).toMatchObject({
      access_token: connection.tokens.access_token,
      refresh_token: connection.tokens.refresh_token,
    })
    expect(await stub.getSummary(connection.tenant)).toMatchObject({ status: 'connected', lastError: { code } })
    // Within the backoff the next caller gets the same error without a token request.
    expect(await errorCodeOf(() => stub.getAccessToken(connection.tenant))).toBe(code)
    expect(await connection.scenario.requestsTo('/token')).toHaveLength(3)

    // Once the backoff has passed, the old refresh token still works (the provider is back).
    vi.setSystemTime(await nextRefreshAt(connection.connectionId))
    const token = await stub.getAccessToken(connection.tenant)
    expect(token.accessToken).not.toBe(connection.tokens.access_token)
    expect(await connection.scenario.presentedRefreshTokens()).toEqual(Array(4).fill(connection.tokens.refresh_token))
    expect(await stub.getSummary(connection.tenant)).toMatchObject({ status: 'connected', lastError: null })
  })

  it('S12 a token request that never answers times out, is retried, and is reported as upstream_unavailable', { timeout: 20_000 }, async () => {
    const connection = await storeConnection({ label: 'fail-timeout', expiresAt: EXPIRED })
    await connection.scenario.script('/token', [{ hang: true }, { hang: true }, { hang: true }])

    expect(await errorCodeOf(() => connectionObject(connection.connectionId).getAccessToken(connection.tenant))).toBe('upstream_unavailable')

    expect(await connection.scenario.requestsTo('/token')).toHaveLength(3)
    expect(await storedCredentials(connection.connectionId)).toMatchObject({ refresh_token: connection.tokens.refresh_token })
  })

  it('S12 recovers within one call when the provider fails twice and then answers', async () => {
    const connection = await storeConnection({ label: 'fail-then-ok', expiresAt: EXPIRED })
    await connection.scenario.script('/token', [{ status: 502 }, { status: 503, headers: { 'Retry-After': '0' } }])

    const token = await connectionObject(connection.connectionId).getAccessToken(connection.tenant)

    expect(token.accessToken).not.toBe(connection.tokens.access_token)
    expect(await connection.scenario.requestsTo('/token')).toHaveLength(3)
  })
})

describe('S12 backoff after a failed refresh (no hammering)', () => {
  it('S12 after a failed refresh of an expired token, 10 calls make no token request until the backoff passes', async () => {
    const connection = await storeConnection({ label: 'backoff-access', expiresAt: EXPIRED })
    const stub = connectionObject(connection.connectionId)
    const down = { status: 503, body: 'Service Unavailable' }
    await connection.scenario.script('/token', [down, down, down])
    expect(await errorCodeOf(() => stub.getAccessToken(connection.tenant))).toBe('upstream_unavailable')
    expect(await connection.scenario.requestsTo('/token')).toHaveLength(3)
    const retryAt = await nextRefreshAt(connection.connectionId)

    const calls = [
      () => stub.getAccessToken(connection.tenant),
      () => stub.getCredentials(connection.tenant),
      () => stub.proxy(connection.tenant, { path: '/me', method: 'GET', headers: [], body: null }),
    ]
    for (let call = 0; call < 10; call++) expect(await errorCodeOf(calls[call % calls.length] ?? calls[0]!)).toBe('upstream_unavailable')
    vi.setSystemTime(retryAt - 1)
    expect(await errorCodeOf(() => stub.getAccessToken(connection.tenant))).toBe('upstream_unavailable')
    expect(await connection.scenario.requestsTo('/token')).toHaveLength(3)

    vi.setSystemTime(retryAt)
    const token = await stub.getAccessToken(connection.tenant)
    expect(token.accessToken).not.toBe(connection.tokens.access_token)
    expect(await connection.scenario.requestsTo('/token')).toHaveLength(4)
  })

  it('S12 after a refresh on an API 401 failed, further 401s through the proxy make no token request until the backoff passes', async () => {
    const connection = await storeConnection({ label: 'backoff-proxy' })
    const stub = connectionObject(connection.connectionId)
    const me = () => stub.proxy(connection.tenant, { path: '/me', method: 'GET', headers: [], body: null })
    await connection.scenario.expireAccessTokens()
    const down = { status: 500, body: { error: 'server_error' } }
    await connection.scenario.script('/token', [down, down, down])
    expect(await errorCodeOf(me)).toBe('upstream_unavailable')
    expect(await connection.scenario.requestsTo('/token')).toHaveLength(3)

    for (let call = 0; call < 5; call++) expect(await errorCodeOf(me)).toBe('upstream_unavailable')
    expect(await connection.scenario.requestsTo('/token')).toHaveLength(3)
    expect(await connection.scenario.requestsTo('/api/me')).toHaveLength(6)

    vi.setSystemTime(await nextRefreshAt(connection.connectionId))
    const response = await me()
    expect(response.status).toBe(200)
    expect(await connection.scenario.requestsTo('/token')).toHaveLength(4)
  })

  it('S12 an explicit refresh() during the backoff still reaches the token endpoint', async () => {
    const connection = await storeConnection({ label: 'backoff-explicit', expiresAt: EXPIRED })
    const stub = connectionObject(connection.connectionId)
    const down = { status: 502 }
    await connection.scenario.script('/token', [down, down, down])
    expect(await errorCodeOf(() => stub.getAccessToken(connection.tenant))).toBe('upstream_unavailable')

    expect(await stub.refresh(connection.tenant)).toMatchObject({ status: 'connected', lastError: null })
    expect(await connection.scenario.requestsTo('/token')).toHaveLength(4)
    expect(await stub.getAccessToken(connection.tenant)).toMatchObject({ accessToken: (await storedCredentials(connection.connectionId))['access_token'] })
  })
})

describe('Retry-After beyond the retry budget', () => {
  it.each([
    { label: 'seconds', retryAfter: () => '3600' },
    { label: 'an HTTP-date', retryAfter: () => new Date(Date.now() + 3_600_000).toUTCString() },
  ])('S12 a 429 asking to wait an hour ($label) is not retried, and later calls do not reach the token endpoint before then', async ({ label, retryAfter }) => {
    const connection = await storeConnection({ label: `retry-after-${label.replaceAll(' ', '-')}`, expiresAt: EXPIRED })
    const stub = connectionObject(connection.connectionId)
    await connection.scenario.script('/token', [{ status: 429, headers: { 'Retry-After': retryAfter() } }])

    expect(await errorCodeOf(() => stub.getAccessToken(connection.tenant))).toBe('rate_limited')
    expect(await errorCodeOf(() => stub.getAccessToken(connection.tenant))).toBe('rate_limited')
    expect(await errorCodeOf(() => stub.refresh(connection.tenant))).toBe('rate_limited')

    expect(await connection.scenario.requestsTo('/token')).toHaveLength(1)
  })
})

describe('refusals that are not worth retrying', () => {
  it.each([
    { label: 'an OAuth error other than invalid_grant', answer: { status: 400, body: { error: 'invalid_scope' } } },
    { label: 'a 2xx without access_token', answer: { status: 200, body: { token_type: 'Bearer' } } },
    { label: 'an HTML page', answer: { status: 200, headers: { 'Content-Type': 'text/html' }, body: '<html>login</html>' } },
  ])('answers refresh_failed after one request for $label, and marks the connection error', async ({ label, answer }) => {
    const connection = await storeConnection({ label: `refused-${label.replaceAll(' ', '-')}`, expiresAt: EXPIRED })
    await connection.scenario.script('/token', [answer])
    const stub = connectionObject(connection.connectionId)

    expect(await errorCodeOf(() => stub.getAccessToken(connection.tenant))).toBe('refresh_failed')

    expect(await connection.scenario.requestsTo('/token')).toHaveLength(1)
    expect(await stub.getSummary(connection.tenant)).toMatchObject({ status: 'error', lastError: { code: 'refresh_failed' } })
    expect(await storedCredentials(connection.connectionId)).toMatchObject({ refresh_token: connection.tokens.refresh_token })
  })
})
