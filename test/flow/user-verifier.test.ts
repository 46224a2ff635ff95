/**
 * S21, the optional user verifier (src/flow/user-verification.ts): with USER_VERIFY_URL set,
 * a flow completes only after the application confirmed, server to server, that its logged-in
 * user is the tenant that started it, and only in the browser that authorized it. Without
 * that confirmation no token request is made and nothing is stored.
 */
import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { LatchkeyApi } from '../../src/api/latchkey-api.ts'
import { unawaited } from '../../src/flow/background.ts'
import { acceptVerifiedReturn, confirmUserVerification } from '../../src/flow/user-verification.ts'
import { readSettings } from '../../src/settings.ts'
import { Browser, LATCHKEY_ORIGIN } from '../support/browser.ts'
import { expectCodeFreeRedirect } from '../support/connect-flow.ts'
import { newTenant } from '../support/connections.ts'
import { errorCodeOf } from '../support/error-code.ts'
import { flowToVerifyPage, postConfirmation, USER_VERIFY_SECRET, verifierEnv } from '../support/login-csrf.ts'
import { UpstreamScenario } from '../support/upstream.ts'

/** What Latchkey stored for `tenant`. */
function connectionsOf(tenant: string): Promise<unknown[]> {
  return new LatchkeyApi(env).listConnections(tenant).then((page) => page.connections)
}

describe('S21 the user verifier', () => {
  it('S21 with the verifier on, the callback exchanges nothing and sends the browser to the verify URL with a signed flow token', async () => {
    const scenario = new UpstreamScenario()
    const tenant = newTenant()
    const { callback, flowToken } = await flowToVerifyPage(scenario, { tenant })
    const location = expectCodeFreeRedirect(callback)
    expect(`${location.origin}${location.pathname}`).toBe('https://app.example.com/verify')
    expect(location.searchParams.get('step')).toBe('1')
    expect(flowToken).toMatch(/^[A-Za-z0-9_-]{43}\.\d+\.[A-Za-z0-9_-]{43}$/)
    expect(callback.headers.getAll('Set-Cookie')).toContainEqual(
      expect.stringMatching(/^__Host-latchkey-verify-[A-Za-z0-9_-]{16}=[A-Za-z0-9_-]{43}; Max-Age=300; Path=\/; Secure; HttpOnly; SameSite=Lax$/),
    )
    expect(await scenario.count('/token')).toBe(0)
    expect(await connectionsOf(tenant)).toEqual([])
  })

  it('S21 a flow completed by another user with the verifier on stores nothing', async () => {
    const scenario = new UpstreamScenario()
    const attacker = newTenant()
    // The attacker's link, finished in the victim's browser: the application's user there is the victim.
    const { browser, flowToken } = await flowToVerifyPage(scenario, { tenant: attacker })
    const victim = newTenant()
    expect(await errorCodeOf(() => env.LATCHKEY_SELF.confirmUserVerification(flowToken, victim))).toBe('user_verification_failed')
    const overHttp = await postConfirmation(flowToken, victim)
    expect(overHttp.status).toBe(403)
    expect(await overHttp.json()).toMatchObject({ error: 'user_verification_failed' })
    // An application that sends the browser back anyway gets nothing either.
    const flowId = flowToken.split('.')[0] ?? ''
    const back = await browser.get(`${LATCHKEY_ORIGIN}/oauth/verified?flow=${flowId}`)
    expect(back.status).toBe(403)
    expect(await errorCodeOf(back)).toBe('user_verification_failed')
    expect(await scenario.count('/token')).toBe(0)
    expect(await connectionsOf(attacker)).toEqual([])
    expect(await connectionsOf(victim)).toEqual([])
  })

  it('S21 the confirmation for the tenant that started the flow completes it in the same browser', async () => {
    const scenario = new UpstreamScenario()
    const tenant = newTenant()
    const { browser, flowToken } = await flowToVerifyPage(scenario, { tenant })
    const { url } = await env.LATCHKEY_SELF.confirmUserVerification(flowToken, tenant)
    expect(url.startsWith(`${LATCHKEY_ORIGIN}/oauth/verified?flow=`)).toBe(true)
    // Another browser (the attacker's, with a leaked URL) cannot finish it.
    const elsewhere = await new Browser({ env: verifierEnv }).get(url)
    expect(await errorCodeOf(elsewhere)).toBe('state_browser_mismatch')

    const cookieHeader = browser.cookieHeader()
    const finished = await browser.get(url)
    expect(finished.status).toBe(303)
    const returned = new URL(finished.headers.get('Location') ?? '')
    expect(`${returned.origin}${returned.pathname}`).toBe('https://app.example.com/done')
    expect(returned.searchParams.get('status')).toBe('connected')
    expect(finished.headers.getAll('Set-Cookie')).toContainEqual(expect.stringMatching(/^__Host-latchkey-verify-[A-Za-z0-9_-]{16}=; Max-Age=0;/))
    expect(await scenario.count('/token')).toBe(1)
    expect(await connectionsOf(tenant)).toHaveLength(1)

    // Once: the same way back, cookie and all, changes nothing. The parked callback is gone
    // (user_verification_failed); were KV to lag, the guard's claim refuses it (state_reused).
    expect(await errorCodeOf(await browser.request(url, { cookieHeader }))).toMatch(/^(state_reused|user_verification_failed)$/)
    expect(await scenario.count('/token')).toBe(1)
  })

  it('S21 an HTTP confirmation must be signed with USER_VERIFY_SECRET', async () => {
    const scenario = new UpstreamScenario()
    const tenant = newTenant()
    const { browser, flowToken } = await flowToVerifyPage(scenario, { tenant })
    for (const secret of [null, 'another-secret-another-secret-another-secret']) {
      const refused = await postConfirmation(flowToken, tenant, secret)
      expect(refused.status).toBe(403)
      expect(await refused.json()).toMatchObject({ error: 'user_verification_failed' })
    }
    const confirmed = await postConfirmation(flowToken, tenant, USER_VERIFY_SECRET)
    expect(confirmed.status).toBe(200)
    expect(confirmed.headers.get('Cache-Control')).toBe('no-store')
    const { url } = (await confirmed.json()) as { url: string }
    expect(new URL((await browser.get(url)).headers.get('Location') ?? '').searchParams.get('status')).toBe('connected')
  })

  it('S21 a confirmation or a return after the verification expired stores nothing', async () => {
    const scenario = new UpstreamScenario()
    const tenant = newTenant()
    const { browser, flowToken } = await flowToVerifyPage(scenario, { tenant })
    const settings = readSettings(verifierEnv)
    const late = Date.now() + 6 * 60_000
    expect(await errorCodeOf(() => confirmUserVerification(settings, flowToken, tenant, late))).toBe('user_verification_expired')
    const { url } = await confirmUserVerification(settings, flowToken, tenant, Date.now())
    const search = new URL(url).search.slice(1)
    expect(await errorCodeOf(() => acceptVerifiedReturn(verifierEnv, settings, search, browser.cookieHeader(), late, unawaited))).toBe('user_verification_expired')
    expect(await scenario.count('/token')).toBe(0)
    expect(await connectionsOf(tenant)).toEqual([])
  })
})

describe('with the user verifier on, as before', () => {
  it("the provider's error= still ends the flow at once, without the verify page", async () => {
    const scenario = new UpstreamScenario()
    await scenario.configure({ authorizeError: 'access_denied' })
    const { callback } = await flowToVerifyPage(scenario, { tenant: newTenant() })
    expect(callback.status).toBe(303)
    expect(new URL(callback.headers.get('Location') ?? '').origin).toBe('https://app.example.com')
  })
})
