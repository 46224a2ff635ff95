import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { claimOnce, stateGuardName, stateGuardShard, type AuthorizationStateGuard } from '../../src/flow/authorization-state-guard.ts'

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
