/**
 * The client's token cache (packages/client): answered from the isolate's memory while the
 * token is valid for longer than Latchkey's refresh margin, never longer than the TTL; one
 * RPC for concurrent misses; forceRefresh bypasses and replaces; errors are not cached.
 * Against a fake binding and a manual clock: nothing here waits for time.
 */
import { describe, expect, it } from 'vitest'
import { LatchkeyClient, LatchkeyClientError, REFRESH_MARGIN_MS, type AccessToken } from '@latchkey/client'
import { FakeLatchkey, ManualClock, rpcError, settle } from './fake-latchkey.ts'

const MINUTE = 60_000

function setUp(options: { cacheTtlMs?: number; maxCacheEntries?: number; expiresIn?: number | null } = {}) {
  const clock = new ManualClock()
  const latchkey = new FakeLatchkey()
  let issued = 0
  const expiresIn = options.expiresIn === undefined ? 60 * MINUTE : options.expiresIn
  latchkey.autoAnswer('getAccessToken', (): AccessToken => ({ accessToken: `token-${++issued}`, expiresAt: expiresIn === null ? null : clock.ms + expiresIn }))
  const { expiresIn: _expiresIn, ...clientOptions } = options
  const client = new LatchkeyClient(latchkey.binding, { ...clientOptions, now: clock.now })
  return { clock, latchkey, client, rpcs: () => latchkey.callsOf('getAccessToken').length }
}

describe('token cache', () => {
  it('answers a valid token from memory: one RPC for many calls', async () => {
    const { client, rpcs } = setUp()
    const first = await client.getAccessToken('tenant-a', 'conn-1')
    for (let index = 0; index < 5; index++) expect(await client.getAccessToken('tenant-a', 'conn-1')).toEqual(first)
    expect(rpcs()).toBe(1)
  })

  it('asks Latchkey again once the TTL (default 60 s) has passed since the token arrived', async () => {
    const { client, clock, rpcs } = setUp()
    const first = await client.getAccessToken('tenant-a', 'conn-1')
    clock.advance(60_000 - 1)
    expect(await client.getAccessToken('tenant-a', 'conn-1')).toEqual(first)
    clock.advance(1)
    expect(await client.getAccessToken('tenant-a', 'conn-1')).not.toEqual(first)
    expect(rpcs()).toBe(2)
  })

  it('takes a configured TTL', async () => {
    const { client, clock, rpcs } = setUp({ cacheTtlMs: 5_000 })
    await client.getAccessToken('tenant-a', 'conn-1')
    clock.advance(4_999)
    await client.getAccessToken('tenant-a', 'conn-1')
    expect(rpcs()).toBe(1)
    clock.advance(1)
    await client.getAccessToken('tenant-a', 'conn-1')
    expect(rpcs()).toBe(2)
  })

  it("stops answering a token within Latchkey's refresh margin (5 minutes) of its expiry, whatever the TTL", async () => {
    const { client, clock, rpcs } = setUp({ cacheTtlMs: 60 * MINUTE, expiresIn: 10 * MINUTE })
    await client.getAccessToken('tenant-a', 'conn-1')
    clock.advance(10 * MINUTE - REFRESH_MARGIN_MS - 1)
    await client.getAccessToken('tenant-a', 'conn-1')
    expect(rpcs()).toBe(1)
    clock.advance(1)
    await client.getAccessToken('tenant-a', 'conn-1')
    expect(rpcs()).toBe(2)
  })

  it('keeps a short-lived token for at most half its remaining lifetime (as Latchkey refreshes it)', async () => {
    const { client, clock, rpcs } = setUp({ cacheTtlMs: 60 * MINUTE, expiresIn: 4 * MINUTE })
    await client.getAccessToken('tenant-a', 'conn-1')
    clock.advance(2 * MINUTE - 1)
    await client.getAccessToken('tenant-a', 'conn-1')
    expect(rpcs()).toBe(1)
    clock.advance(1)
    await client.getAccessToken('tenant-a', 'conn-1')
    expect(rpcs()).toBe(2)
  })

  it('does not keep a token that is already within the margin', async () => {
    const { client, rpcs } = setUp({ expiresIn: 0 })
    await client.getAccessToken('tenant-a', 'conn-1')
    await client.getAccessToken('tenant-a', 'conn-1')
    expect(rpcs()).toBe(2)
  })

  it('bounds a token without expiry by the TTL alone', async () => {
    const { client, clock, rpcs } = setUp({ expiresIn: null })
    await client.getAccessToken('tenant-a', 'conn-1')
    clock.advance(59_999)
    await client.getAccessToken('tenant-a', 'conn-1')
    expect(rpcs()).toBe(1)
    clock.advance(1)
    await client.getAccessToken('tenant-a', 'conn-1')
    expect(rpcs()).toBe(2)
  })

  it('shares one RPC among concurrent misses, and all get its token', async () => {
    const latchkey = new FakeLatchkey()
    const client = new LatchkeyClient(latchkey.binding)
    const calls = Array.from({ length: 1_000 }, () => client.getAccessToken('tenant-a', 'conn-1'))
    await settle()
    expect(latchkey.callsOf('getAccessToken')).toHaveLength(1)
    latchkey.calls[0]?.resolve({ accessToken: 'shared', expiresAt: null })
    const tokens = await Promise.all(calls)
    expect(new Set(tokens.map((token) => token.accessToken))).toEqual(new Set(['shared']))
    expect(latchkey.calls).toHaveLength(1)
  })

  it('keeps one entry per (tenant, connectionId)', async () => {
    const { client, rpcs } = setUp()
    const a = await client.getAccessToken('tenant-a', 'conn-1')
    const b = await client.getAccessToken('tenant-b', 'conn-1')
    const c = await client.getAccessToken('tenant-a', 'conn-2')
    // Keys that would collide if tenant and id were simply joined.
    const d = await client.getAccessToken('tenant-a:1', 'x')
    const e = await client.getAccessToken('tenant-a', '1:x')
    expect(new Set([a, b, c, d, e].map((token) => token.accessToken)).size).toBe(5)
    expect(rpcs()).toBe(5)
    expect(await client.getAccessToken('tenant-b', 'conn-1')).toEqual(b)
    expect(rpcs()).toBe(5)
  })

  it('does not cache an error: every caller waiting gets it, the next call asks again', async () => {
    const latchkey = new FakeLatchkey()
    const client = new LatchkeyClient(latchkey.binding)
    const waiting = Array.from({ length: 3 }, () => client.getAccessToken('tenant-a', 'conn-1').catch((error: unknown) => error))
    await settle()
    latchkey.calls[0]?.reject(rpcError('needs_reauth'))
    for (const error of await Promise.all(waiting)) expect(error).toMatchObject({ name: 'LatchkeyClientError', code: 'needs_reauth' })
    expect((await Promise.all(waiting))[0]).toBeInstanceOf(LatchkeyClientError)

    const next = client.getAccessToken('tenant-a', 'conn-1')
    await settle()
    expect(latchkey.calls).toHaveLength(2)
    latchkey.calls[1]?.resolve({ accessToken: 'after', expiresAt: null })
    expect(await next).toEqual({ accessToken: 'after', expiresAt: null })
  })

  it('forceRefresh bypasses the cache and replaces its entry', async () => {
    const { client, latchkey, rpcs } = setUp()
    const cached = await client.getAccessToken('tenant-a', 'conn-1')
    const forced = await client.getAccessToken('tenant-a', 'conn-1', { forceRefresh: true })
    expect(forced).not.toEqual(cached)
    expect(latchkey.callsOf('getAccessToken')[1]?.args).toEqual(['tenant-a', 'conn-1', { forceRefresh: true }])
    expect(await client.getAccessToken('tenant-a', 'conn-1')).toEqual(forced)
    expect(rpcs()).toBe(2)
  })

  it('a token asked for before a forceRefresh does not overwrite the forced one when it arrives later', async () => {
    const latchkey = new FakeLatchkey()
    const client = new LatchkeyClient(latchkey.binding)
    const older = client.getAccessToken('tenant-a', 'conn-1')
    const forced = client.getAccessToken('tenant-a', 'conn-1', { forceRefresh: true })
    await settle()
    const [olderCall, forcedCall] = latchkey.calls
    forcedCall?.resolve({ accessToken: 'forced', expiresAt: null })
    expect((await forced).accessToken).toBe('forced')
    olderCall?.resolve({ accessToken: 'older', expiresAt: null })
    expect((await older).accessToken).toBe('older')
    expect((await client.getAccessToken('tenant-a', 'conn-1')).accessToken).toBe('forced')
    expect(latchkey.calls).toHaveLength(2)
  })

  it('a TTL of 0 disables the cache: every call is an RPC', async () => {
    const { client, rpcs } = setUp({ cacheTtlMs: 0 })
    await Promise.all([client.getAccessToken('tenant-a', 'conn-1'), client.getAccessToken('tenant-a', 'conn-1')])
    await client.getAccessToken('tenant-a', 'conn-1')
    expect(rpcs()).toBe(3)
  })

  it('forgets a connection this client disconnects, refreshes or evicts', async () => {
    const { client, latchkey, rpcs } = setUp()
    latchkey.autoAnswer('disconnect', ([, connectionId]) => ({ connectionId, connectorDisconnect: 'absent' }))
    latchkey.autoAnswer('refresh', ([tenant, connectionId]) => ({ tenant, connectionId }))
    await client.getAccessToken('tenant-a', 'conn-1')
    await client.refresh('tenant-a', 'conn-1')
    await client.getAccessToken('tenant-a', 'conn-1')
    expect(rpcs()).toBe(2)
    client.evict('tenant-a', 'conn-1')
    await client.getAccessToken('tenant-a', 'conn-1')
    expect(rpcs()).toBe(3)
    await client.disconnect('tenant-a', 'conn-1')
    await client.getAccessToken('tenant-a', 'conn-1')
    expect(rpcs()).toBe(4)
  })

  it('holds at most maxCacheEntries connections, dropping the oldest first', async () => {
    const { client, rpcs } = setUp({ maxCacheEntries: 2 })
    await client.getAccessToken('tenant-a', 'conn-1')
    await client.getAccessToken('tenant-a', 'conn-2')
    await client.getAccessToken('tenant-a', 'conn-3')
    expect(rpcs()).toBe(3)
    await client.getAccessToken('tenant-a', 'conn-3')
    await client.getAccessToken('tenant-a', 'conn-2')
    expect(rpcs()).toBe(3)
    await client.getAccessToken('tenant-a', 'conn-1')
    expect(rpcs()).toBe(4)
  })

  it('hands out a frozen token, so no caller can change what the others get', async () => {
    const { client } = setUp()
    const token = await client.getAccessToken('tenant-a', 'conn-1')
    expect(Object.isFrozen(token)).toBe(true)
  })

  it('refuses options that make no cache', () => {
    const { binding } = new FakeLatchkey()
    expect(() => new LatchkeyClient(binding, { cacheTtlMs: -1 })).toThrow(RangeError)
    expect(() => new LatchkeyClient(binding, { cacheTtlMs: Number.NaN })).toThrow(RangeError)
    expect(() => new LatchkeyClient(binding, { maxCacheEntries: 0 })).toThrow(RangeError)
  })

  it("maps Latchkey's errors on every RPC method to LatchkeyClientError, and leaves other errors as they are", async () => {
    const latchkey = new FakeLatchkey()
    latchkey.autoAnswer('getConnection', () => {
      throw rpcError('connection_not_found', 'No such connection.')
    })
    latchkey.autoAnswer('listConnections', () => {
      throw new TypeError('not from Latchkey')
    })
    const client = new LatchkeyClient(latchkey.binding)
    const error = await client.getConnection('tenant-a', 'conn-1').catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(LatchkeyClientError)
    expect(error).toMatchObject({ code: 'connection_not_found', message: 'No such connection.' })
    expect((error as Error).cause).toBeInstanceOf(Error)
    await expect(client.listConnections('tenant-a')).rejects.toThrow(TypeError)
  })
})
