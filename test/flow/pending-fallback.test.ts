/**
 * The KV-miss fallback (S2, pending-store.ts): Workers KV is eventually consistent across
 * locations, so a callback served elsewhere than the start may not see the pending record yet.
 * The start also writes the record to a guard shard in the background, and the callback reads
 * that copy when KV has none. Deleting the KV entry before the callback stands in for the miss.
 * The browsers here call the Worker's fetch handler with `env` (Browser `{ env }`), which waits
 * for the request's background work, so the copy is there when the test goes on.
 * OAuth 1.0a and the typed-credentials form have the same tests in their own files.
 */
import { env, runInDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { stateGuardName, type AuthorizationStateGuard } from '../../src/flow/authorization-state-guard.ts'
import { Browser } from '../support/browser.ts'
import { callbackFromUrl, connectUrlFor, RETURN_URL } from '../support/connect-flow.ts'
import { newTenant } from '../support/connections.ts'
import { errorCodeOf } from '../support/error-code.ts'
import { flowToVerifyPage, verifierEnv } from '../support/login-csrf.ts'
import { UpstreamScenario } from '../support/upstream.ts'

/** The guard shard that keeps the copy of the pending record under `key`. */
function copyShard(key: string): DurableObjectStub<AuthorizationStateGuard> {
  return env.AUTHORIZATION_STATE_GUARDS.get(env.AUTHORIZATION_STATE_GUARDS.idFromName(stateGuardName('pending-record', key))) as DurableObjectStub<AuthorizationStateGuard>
}

/** A one-time connect URL for test-oauth returning to RETURN_URL. */
function oneTimeUrl(scenario: UpstreamScenario, tenant: string = newTenant()): Promise<string> {
  return connectUrlFor('test-oauth', { sub: tenant, input: { scenario: scenario.id }, return_url: RETURN_URL, jti: crypto.randomUUID() })
}

describe('S2 a callback that misses the pending record in KV', () => {
  it('S2 completes from the guard copy when the KV entry is gone', async () => {
    const scenario = new UpstreamScenario()
    const browser = new Browser({ env })
    const callbackUrl = await callbackFromUrl(browser, await oneTimeUrl(scenario))
    const key = `state:${callbackUrl.searchParams.get('state')}`
    expect(await env.PENDING_AUTHORIZATIONS.get(key)).not.toBeNull()
    await env.PENDING_AUTHORIZATIONS.delete(key)

    const done = await browser.get(callbackUrl)
    expect(done.status).toBe(303)
    expect(new URL(done.headers.get('Location') ?? '').searchParams.get('status')).toBe('connected')
    expect(await scenario.count('/token')).toBe(1)
  })

  it('S2 a record completed from the copy is still single use: the replay is state_reused', async () => {
    const scenario = new UpstreamScenario()
    const browser = new Browser({ env })
    const callbackUrl = await callbackFromUrl(browser, await oneTimeUrl(scenario))
    const cookies = browser.cookies()
    await env.PENDING_AUTHORIZATIONS.delete(`state:${callbackUrl.searchParams.get('state')}`)
    expect((await browser.get(callbackUrl)).status).toBe(303)

    for (const [name, value] of cookies) browser.setCookie(name, value)
    const replay = await browser.get(callbackUrl)
    expect(await errorCodeOf(replay)).toBe('state_reused')
    expect(await scenario.count('/token')).toBe(1)
  })

  it('S2 the copy is bound to the browser like the record: another browser is refused', async () => {
    const scenario = new UpstreamScenario()
    const callbackUrl = await callbackFromUrl(new Browser({ env }), await oneTimeUrl(scenario))
    await env.PENDING_AUTHORIZATIONS.delete(`state:${callbackUrl.searchParams.get('state')}`)
    expect(await errorCodeOf(await new Browser({ env }).get(callbackUrl))).toBe('state_browser_mismatch')
    expect(await scenario.count('/token')).toBe(0)
  })

  it('S2 a record in neither KV nor the guard is state_unknown, before any token request', async () => {
    const scenario = new UpstreamScenario()
    const browser = new Browser({ env })
    const callbackUrl = await callbackFromUrl(browser, await oneTimeUrl(scenario))
    const key = `state:${callbackUrl.searchParams.get('state')}`
    expect(await copyShard(key).readRecord(key)).not.toBeNull()
    await env.PENDING_AUTHORIZATIONS.delete(key)
    await copyShard(key).forgetRecord(key)

    const response = await browser.get(callbackUrl)
    expect(response.status).toBe(400)
    expect(await errorCodeOf(response)).toBe('state_unknown')
    expect(await scenario.count('/token')).toBe(0)
  })

  it('S2 the copy is kept exactly as long as KV keeps the record (its TTL, a minute past expiresAt)', async () => {
    const callbackUrl = await callbackFromUrl(new Browser({ env }), await oneTimeUrl(new UpstreamScenario()))
    const key = `state:${callbackUrl.searchParams.get('state')}`
    const stored = await env.PENDING_AUTHORIZATIONS.get<{ expiresAt: number }>(key, 'json')
    const retainUntil = await runInDurableObject(copyShard(key), (_instance, state) =>
      state.storage.sql.exec<{ retain_until: number }>('SELECT retain_until FROM pending_records WHERE key = ?', key).one(),
    )
    expect(retainUntil.retain_until).toBe((stored?.expiresAt ?? 0) + 60_000)
  })
})

describe('S21 the user verifier with a KV miss', () => {
  it('S21 the way back completes from the copy of the parked callback when KV has none', async () => {
    const scenario = new UpstreamScenario()
    const tenant = newTenant()
    const { browser, flowToken } = await flowToVerifyPage(scenario, { tenant })
    const flowId = flowToken.split('.')[0] ?? ''
    await env.PENDING_AUTHORIZATIONS.delete(`verify:${flowId}`)
    const { url } = await env.LATCHKEY_SELF.confirmUserVerification(flowToken, tenant)
    const finished = await browser.get(url)
    expect(finished.status).toBe(303)
    expect(new URL(finished.headers.get('Location') ?? '').searchParams.get('status')).toBe('connected')
    expect(await scenario.count('/token')).toBe(1)
    // The parked callback (its code) is gone from both places once claimed.
    expect(await verifierEnv.PENDING_AUTHORIZATIONS.get(`verify:${flowId}`)).toBeNull()
    expect(await copyShard(`verify:${flowId}`).readRecord(`verify:${flowId}`)).toBeNull()
  })
})
