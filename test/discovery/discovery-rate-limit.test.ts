/**
 * The per-tenant discovery limit through the real rate-limiting binding wrangler.toml declares
 * (`DISCOVERY_RATE_LIMITER`, 30 per 60 s; the test pool honours `[[ratelimits]]` simple limits:
 * miniflare counts each key in a fixed window aligned to the clock). Every tenant is fresh, so no
 * other test's calls count against it.
 */
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { assertDiscoveryAllowed, discoveryRateLimitKey } from '../../src/discovery/discovery-rate-limit.ts'
import { LatchkeyError } from '../../src/errors.ts'
import { newTenant } from '../support/connections.ts'
import { errorCodeOf } from '../support/error-code.ts'

/** wrangler.toml's `simple.limit` of DISCOVERY_RATE_LIMITER. */
const LIMIT = 30

/** What `count` discovering starts of `tenant` rejected with, in order (null: allowed). */
async function startDiscoveries(environment: Env, tenant: string, count: number): Promise<unknown[]> {
  const outcomes: unknown[] = []
  for (let call = 0; call < count; call += 1) {
    outcomes.push(
      await assertDiscoveryAllowed(environment, tenant).then(
        () => null,
        (error: unknown) => error,
      ),
    )
  }
  return outcomes
}

/** The error codes of `outcomes` (null: allowed). */
async function codesOf(outcomes: unknown[]): Promise<Array<string | null>> {
  return Promise.all(outcomes.map((outcome) => errorCodeOf(outcome)))
}

/**
 * What LIMIT + 1 starts of one fresh tenant within one window rejected with. A window that ends
 * during a round refills the budget and lets the last start through: the round is run again with
 * another tenant (at most twice more; windows are a minute apart, a round takes milliseconds). A
 * limiter that never refuses fails the test.
 */
async function oneWindowOverTheLimit(): Promise<unknown[]> {
  let outcomes: unknown[] = []
  for (let attempt = 0; attempt < 3 && (outcomes[LIMIT] ?? null) === null; attempt += 1) {
    outcomes = await startDiscoveries(env, newTenant(), LIMIT + 1)
  }
  return outcomes
}

/** A RateLimit that records the keys it is asked about and allows everything. */
function recordingLimiter(): { limiter: RateLimit; keys: string[] } {
  const keys: string[] = []
  const limiter: RateLimit = {
    limit: async ({ key }) => {
      keys.push(key)
      return { success: true }
    },
  }
  return { limiter, keys }
}

describe('the per-tenant discovery limit', () => {
  it('S28 refuses the 31st discovering start of a tenant within a window with discovery_rate_limited, while another tenant still starts', async () => {
    expect(env.DISCOVERY_RATE_LIMITER, 'wrangler.toml declares [[ratelimits]] DISCOVERY_RATE_LIMITER').toBeDefined()
    const outcomes = await oneWindowOverTheLimit()
    const codes = await codesOf(outcomes)

    expect(codes.slice(0, LIMIT)).toEqual(Array(LIMIT).fill(null))
    expect(codes[LIMIT]).toBe('discovery_rate_limited')
    expect(outcomes[LIMIT]).toBeInstanceOf(LatchkeyError)
    expect((outcomes[LIMIT] as LatchkeyError).status).toBe(429)
    expect(await errorCodeOf(() => assertDiscoveryAllowed(env, newTenant()))).toBeNull()
  })

  it('S28 counts a tenant under its own prefixed key: a tenant id spent as a raw key elsewhere in the binding leaves its budget untouched', async () => {
    const limiter = env.DISCOVERY_RATE_LIMITER as RateLimit
    const tenant = newTenant()
    // Spend the budget of the tenant id itself, as another key space using raw strings would.
    for (let call = 0; call < LIMIT + 1; call += 1) await limiter.limit({ key: tenant })
    expect((await limiter.limit({ key: tenant })).success).toBe(false)

    expect(await errorCodeOf(() => assertDiscoveryAllowed(env, tenant))).toBeNull()
  })

  it('S28 sends the limiter a fixed-length key that hides the tenant id, the same for the same tenant and different for another', async () => {
    const { limiter, keys } = recordingLimiter()
    const environment = { ...env, DISCOVERY_RATE_LIMITER: limiter } as Env
    const tenant = 'alice@example.com'

    await assertDiscoveryAllowed(environment, tenant)
    await assertDiscoveryAllowed(environment, tenant)
    await assertDiscoveryAllowed(environment, `${'a'.repeat(500)}@example.com`)

    expect(keys).toHaveLength(3)
    expect(keys[0]).toBe(await discoveryRateLimitKey(tenant))
    expect(keys[0]).toMatch(/^discovery-tenant:[A-Za-z0-9_-]{43}$/)
    expect(keys[0]).not.toContain('alice')
    expect(keys[1]).toBe(keys[0])
    expect(keys[2]).toMatch(/^discovery-tenant:[A-Za-z0-9_-]{43}$/)
    expect(keys[2]).not.toBe(keys[0])
  })

  it('limits nothing without the binding', async () => {
    const environment = { ...env, DISCOVERY_RATE_LIMITER: undefined } as Env
    const tenant = newTenant()

    expect(await startDiscoveries(environment, tenant, LIMIT + 5)).toEqual(Array(LIMIT + 5).fill(null))
  })
})
