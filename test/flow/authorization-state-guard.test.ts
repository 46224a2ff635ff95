import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { claimOnce, stateGuardName, type AuthorizationStateGuard } from '../../src/flow/authorization-state-guard.ts'

function guard(name: string): DurableObjectStub<AuthorizationStateGuard> {
  return env.AUTHORIZATION_STATE_GUARDS.get(env.AUTHORIZATION_STATE_GUARDS.idFromName(name)) as DurableObjectStub<AuthorizationStateGuard>
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

  it('schedules its own cleanup after the value expires and erases the marker in the alarm', async () => {
    const stub = guard(stateGuardName('state', crypto.randomUUID()))
    const notAfter = Date.now() + 10 * 60_000
    expect(await stub.claim(notAfter)).toBe(true)
    const alarm = await runInDurableObject(stub, (_instance, state) => state.storage.getAlarm())
    expect(alarm).toBeGreaterThan(notAfter)
    expect(await runDurableObjectAlarm(stub)).toBe(true)
    expect(await runInDurableObject(stub, (_instance, state) => [...state.storage.kv.list()].length)).toBe(0)
    // The alarm is idempotent (alarms are at-least-once).
    await runInDurableObject(stub, (instance) => instance.alarm())
  })
})
