import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { claimOnce, stateGuardName, stateGuardShard, type AuthorizationStateGuard } from '../../src/flow/authorization-state-guard.ts'
import { LatchkeyError } from '../../src/errors.ts'
import { claimFlowCompletion } from '../../src/flow/flow-claim.ts'
import { errorCodeOf } from '../support/error-code.ts'

function guard(name: string): DurableObjectStub<AuthorizationStateGuard> {
  return env.AUTHORIZATION_STATE_GUARDS.get(env.AUTHORIZATION_STATE_GUARDS.idFromName(name)) as DurableObjectStub<AuthorizationStateGuard>
}

/** Two fresh random values that hash to the same guard object. */
function valuesInOneShard(): [string, string] {
  const first = crypto.randomUUID()
  let second = crypto.randomUUID()
  while (stateGuardShard(second) !== stateGuardShard(first)) second = crypto.randomUUID()
  return [first, second]
}

function storedClaims(stub: DurableObjectStub<AuthorizationStateGuard>, value: string): Promise<number> {
  return runInDurableObject(stub, (_instance, state) => state.storage.sql.exec('SELECT value FROM claimed_values WHERE value = ?', value).toArray().length)
}

describe('AuthorizationStateGuard', () => {
  it('S2 lets a value be claimed exactly once, even concurrently', async () => {
    const value = crypto.randomUUID()
    const results = await Promise.all(Array.from({ length: 8 }, () => claimOnce(env.AUTHORIZATION_STATE_GUARDS, 'state', value, Date.now() + 60_000)))
    expect(results.filter(Boolean)).toHaveLength(1)
  })

  it('keeps states and connect tokens apart', async () => {
    const value = crypto.randomUUID()
    expect(await claimOnce(env.AUTHORIZATION_STATE_GUARDS, 'state', value, Date.now())).toBe(true)
    expect(await claimOnce(env.AUTHORIZATION_STATE_GUARDS, 'connect-token', value, Date.now())).toBe(true)
  })

  it('lets two different values in the same guard object each be claimed once', async () => {
    const [first, second] = valuesInOneShard()
    expect(stateGuardName('connect-token', first)).toBe(stateGuardName('connect-token', second))
    const notAfter = Date.now() + 60_000
    const claims = await Promise.all([first, second, first, second].map((value) => claimOnce(env.AUTHORIZATION_STATE_GUARDS, 'connect-token', value, notAfter)))
    expect(claims.filter(Boolean)).toHaveLength(2)
    expect(await claimOnce(env.AUTHORIZATION_STATE_GUARDS, 'connect-token', first, notAfter)).toBe(false)
    expect(await claimOnce(env.AUTHORIZATION_STATE_GUARDS, 'connect-token', second, notAfter)).toBe(false)
  })

  it('refuses a value again until well after its expiry, then forgets it on a later claim', async () => {
    const [value, later] = valuesInOneShard()
    const stub = guard(stateGuardName('state', value))
    const claimedAt = Date.now()
    const notAfter = claimedAt + 10 * 60_000
    expect(await runInDurableObject(stub, (instance) => instance.claim(value, notAfter, claimedAt))).toBe(true)
    expect(await runInDurableObject(stub, (instance) => instance.claim(value, notAfter, notAfter))).toBe(false)
    // Connect tokens are accepted up to 30 s past exp (clock tolerance): still refused then.
    expect(await runInDurableObject(stub, (instance) => instance.claim(value, notAfter, notAfter + 30_000))).toBe(false)
    expect(await storedClaims(stub, value)).toBe(1)

    const longAfter = notAfter + 60 * 60_000
    expect(await runInDurableObject(stub, (instance) => instance.claim(later, longAfter, longAfter))).toBe(true)
    expect(await storedClaims(stub, value)).toBe(0)
    expect(await storedClaims(stub, later)).toBe(1)
  })

  it('keeps shard objects free of alarms (later claims delete expired rows instead)', async () => {
    const value = crypto.randomUUID()
    const shard = guard(stateGuardName('state', value))
    expect(await shard.claim(value, Date.now() + 60_000)).toBe(true)
    expect(await runInDurableObject(shard, (_instance, state) => state.storage.getAlarm())).toBeNull()
    expect(await runDurableObjectAlarm(shard)).toBe(false)
  })
})

describe('AuthorizationStateGuard.claimBoth (S15 one-time URLs claimed at completion)', () => {
  it('S15 claims a flow and its connect token both or neither; concurrent flows of one token: exactly one wins', async () => {
    const tokenId = crypto.randomUUID()
    const shard = guard(stateGuardName('connect-token', tokenId))
    const notAfter = Date.now() + 60_000
    const flows = Array.from({ length: 6 }, () => crypto.randomUUID())
    const outcomes = await Promise.all(flows.map((flow) => shard.claimBoth(flow, notAfter, tokenId, notAfter)))
    expect(outcomes.filter((outcome) => outcome === 'claimed')).toHaveLength(1)
    expect(outcomes.filter((outcome) => outcome === 'token-used')).toHaveLength(5)
    // The losers inserted nothing: their flow values are not claimed.
    const winner = flows[outcomes.indexOf('claimed')] ?? ''
    for (const flow of flows) expect(await storedClaims(shard, `flow:${flow}`)).toBe(flow === winner ? 1 : 0)
    expect(await storedClaims(shard, tokenId)).toBe(1)
  })

  it('S2 a completed flow claimed again is flow-used, before its token is looked at', async () => {
    const tokenId = crypto.randomUUID()
    const flow = crypto.randomUUID()
    const shard = guard(stateGuardName('connect-token', tokenId))
    const notAfter = Date.now() + 60_000
    expect(await shard.claimBoth(flow, notAfter, tokenId, notAfter)).toBe('claimed')
    expect(await shard.claimBoth(flow, notAfter, tokenId, notAfter)).toBe('flow-used')
  })

  it('S15 a token claimed at start by an earlier version (a raw jti) refuses a completion', async () => {
    const tokenId = crypto.randomUUID()
    const shard = guard(stateGuardName('connect-token', tokenId))
    const notAfter = Date.now() + 60_000
    expect(await claimOnce(env.AUTHORIZATION_STATE_GUARDS, 'connect-token', tokenId, notAfter)).toBe(true)
    expect(await shard.claimBoth(crypto.randomUUID(), notAfter, tokenId, notAfter)).toBe('token-used')
  })
})

describe('AuthorizationStateGuard pending-record copies (KV-miss fallback)', () => {
  it('keeps a copy until its retention, then forgets it on the next access', async () => {
    const key = `state:${crypto.randomUUID()}`
    const shard = guard(stateGuardName('pending-record', key))
    const now = Date.now()
    await runInDurableObject(shard, (instance) => instance.keepRecord(key, '{"version":1}', now + 1_000, now))
    expect(await runInDurableObject(shard, (instance) => instance.readRecord(key, now + 1_000))).toBe('{"version":1}')
    expect(await runInDurableObject(shard, (instance) => instance.readRecord(key, now + 1_001))).toBeNull()
    expect(await runInDurableObject(shard, (_instance, state) => state.storage.sql.exec('SELECT key FROM pending_records WHERE key = ?', key).toArray().length)).toBe(0)
  })

  it('replaces a copy under the same key and forgets it on request', async () => {
    const key = `credential-form:${crypto.randomUUID()}`
    const shard = guard(stateGuardName('pending-record', key))
    const retainUntil = Date.now() + 60_000
    await shard.keepRecord(key, '"first"', retainUntil)
    await shard.keepRecord(key, '"second"', retainUntil)
    expect(await shard.readRecord(key)).toBe('"second"')
    await shard.forgetRecord(key)
    expect(await shard.readRecord(key)).toBeNull()
  })
})

describe('claimFlowCompletion (S15)', () => {
  const reused = (): LatchkeyError => new LatchkeyError('state_reused', 'reused')

  it("S15 keeps a token's claim until every flow it could have started has expired", async () => {
    const token = { id: crypto.randomUUID(), expiresAt: Date.now() + 60_000 }
    const flow = crypto.randomUUID()
    await claimFlowCompletion(env, { value: flow, notAfter: Date.now() + 600_000, token }, reused)
    const shard = guard(stateGuardName('connect-token', token.id))
    const retainUntil = await runInDurableObject(shard, (_instance, state) =>
      state.storage.sql.exec<{ retain_until: number }>('SELECT retain_until FROM claimed_values WHERE value = ?', token.id).one(),
    )
    // Flows start until exp + 30 s (clock tolerance) and live 10 minutes; then 5 minutes' retention.
    expect(retainUntil.retain_until).toBe(token.expiresAt + 30_000 + 600_000 + 300_000)
    expect(await errorCodeOf(() => claimFlowCompletion(env, { value: crypto.randomUUID(), notAfter: Date.now() + 600_000, token }, reused))).toBe('invalid_connect_token')
  })
})
