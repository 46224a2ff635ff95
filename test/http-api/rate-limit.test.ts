/**
 * The per-key rate limit, through the real rate-limiting binding wrangler.toml declares
 * (`API_RATE_LIMITER`, simulated by miniflare: a fixed window per key). The test spends the
 * budget of a key only it uses straight through the binding, then calls the API with it.
 */
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { newTenant } from '../support/connections.ts'
import { TEST_API_KEYS } from './api-key-fixtures.ts'
import { callApi, problemOf } from './api-call.ts'

const limited = TEST_API_KEYS.rateLimited

/** Takes from the binding every call the key has left in the current window. */
async function spendBudget(limiter: RateLimit, keyId: string): Promise<void> {
  while ((await limiter.limit({ key: keyId })).success) {
    // keep spending
  }
}

describe('the per-key rate limit', () => {
  it('answers 429 rate_limited with Retry-After once the key has spent its budget, only for that key and only once the key is verified', async () => {
    const limiter = env.API_RATE_LIMITER
    expect(limiter, 'wrangler.toml declares [[ratelimits]] API_RATE_LIMITER').toBeDefined()
    const tenant = newTenant()
    let response: Response | undefined
    // A window that ends between spending and calling refills the budget: spend again (at most
    // twice more); a limiter that never refuses fails the test.
    for (let round = 0; round < 3 && response?.status !== 429; round += 1) {
      await spendBudget(limiter as RateLimit, limited.id)
      response = await callApi('GET', '/v1/connections', { key: limited.key, tenant })
    }

    const problem = await problemOf(response as Response, 429)
    expect(problem.code).toBe('rate_limited')
    expect(response?.headers.get('Retry-After')).toBe('60')

    const other = await callApi('GET', '/v1/connections', { key: TEST_API_KEYS.all.key, tenant })
    expect(other.status).toBe(200)
    // The key is checked first: someone presenting its id with a wrong secret learns nothing of its budget.
    const impostor = await callApi('GET', '/v1/connections', { key: `lk_${limited.id}_${'C'.repeat(43)}`, tenant })
    expect((await problemOf(impostor, 401)).code).toBe('invalid_api_key')
  })
})
