import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { Browser, LATCHKEY_ORIGIN } from '../support/browser.ts'
import { flowUpToCallback, resultPageAfter, RETURN_URL } from '../support/connect-flow.ts'
import { storedSummary } from '../support/connections.ts'
import { errorCodeOf } from '../support/error-code.ts'
import { UpstreamScenario } from '../support/upstream.ts'

/** Visits the callback and asserts the rejection happened before any token request. */
async function expectRejected(scenario: UpstreamScenario, response: Response, code: string): Promise<void> {
  expect(response.status).toBe(400)
  expect(await errorCodeOf(response)).toBe(code)
  expect(await scenario.count('/token')).toBe(0)
}

describe('callback state checks', () => {
  it('S2 replayed state is rejected before any token request', async () => {
    const scenario = new UpstreamScenario()
    const browser = new Browser()
    const callbackUrl = await flowUpToCallback(browser, scenario, { claims: { return_url: RETURN_URL } })
    const cookies = browser.cookies()
    expect((await browser.get(callbackUrl)).status).toBe(303)
    expect(await scenario.count('/token')).toBe(1)

    browser.clearCookies()
    for (const [name, value] of cookies) browser.setCookie(name, value)
    const replay = await browser.get(callbackUrl)
    expect(replay.status).toBe(400)
    expect(await errorCodeOf(replay)).toBe('state_reused')
    expect(await scenario.count('/token')).toBe(1)
  })

  it('S2 concurrent callbacks with one state exchange the code once', async () => {
    const scenario = new UpstreamScenario()
    const browser = new Browser()
    const callbackUrl = await flowUpToCallback(browser, scenario, { claims: { return_url: RETURN_URL } })
    const responses = await Promise.all([browser.get(callbackUrl), browser.get(callbackUrl), browser.get(callbackUrl)])
    expect(responses.map((response) => response.status).sort()).toEqual([303, 400, 400])
    const codes = await Promise.all(responses.map(errorCodeOf))
    expect(codes.filter((code) => code === 'state_reused')).toHaveLength(2)
    expect(await scenario.count('/token')).toBe(1)
  })

  it('S2 a callback without the binding cookie is rejected', async () => {
    const scenario = new UpstreamScenario()
    const browser = new Browser()
    const callbackUrl = await flowUpToCallback(browser, scenario)
    browser.clearCookies()
    await expectRejected(scenario, await browser.get(callbackUrl), 'state_browser_mismatch')
  })

  it('S2 swapped cookies are rejected', async () => {
    const scenario = new UpstreamScenario()
    const victim = new Browser()
    const attacker = new Browser()
    const victimCallback = await flowUpToCallback(victim, scenario)
    await flowUpToCallback(attacker, scenario)
    // The attacker's binding value under the victim's cookie name.
    const [name = ''] = [...victim.cookies().keys()]
    const [attackerValue = ''] = [...attacker.cookies().values()]
    attacker.setCookie(name, attackerValue)
    await expectRejected(scenario, await attacker.get(victimCallback), 'state_browser_mismatch')
    // A browser holding only another flow's cookie is refused as well.
    await expectRejected(scenario, await new Browser().get(victimCallback), 'state_browser_mismatch')
  })

  it("S2 a rejected foreign callback does not burn the victim's flow", async () => {
    const scenario = new UpstreamScenario()
    const victim = new Browser()
    const callbackUrl = await flowUpToCallback(victim, scenario, { claims: { return_url: RETURN_URL } })
    await expectRejected(scenario, await new Browser().get(callbackUrl), 'state_browser_mismatch')
    expect((await victim.get(callbackUrl)).status).toBe(303)
  })

  it('S2 expired state is rejected', async () => {
    const scenario = new UpstreamScenario()
    const browser = new Browser()
    const callbackUrl = await flowUpToCallback(browser, scenario)
    const state = callbackUrl.searchParams.get('state') ?? ''
    const record = await env.PENDING_AUTHORIZATIONS.get<Record<string, unknown>>(`state:${state}`, 'json')
    await env.PENDING_AUTHORIZATIONS.put(`state:${state}`, JSON.stringify({ ...record, expiresAt: Date.now() - 1 }))
    await expectRejected(scenario, await browser.get(callbackUrl), 'state_expired')
  })

  it('S2 unknown state is rejected', async () => {
    const scenario = new UpstreamScenario()
    const browser = new Browser()
    const callbackUrl = await flowUpToCallback(browser, scenario)
    callbackUrl.searchParams.set('state', 'A'.repeat(43))
    await expectRejected(scenario, await browser.get(callbackUrl), 'state_unknown')
  })

  it('S2 a callback without state is rejected', async () => {
    const scenario = new UpstreamScenario()
    const browser = new Browser()
    const callbackUrl = await flowUpToCallback(browser, scenario)
    callbackUrl.searchParams.delete('state')
    await expectRejected(scenario, await browser.get(callbackUrl), 'state_missing')
  })

  it('S3 a tampered state finds no transaction', async () => {
    const scenario = new UpstreamScenario()
    const browser = new Browser()
    const callbackUrl = await flowUpToCallback(browser, scenario)
    const state = callbackUrl.searchParams.get('state') ?? ''
    callbackUrl.searchParams.set('state', `${state.slice(0, -1)}${state.endsWith('A') ? 'B' : 'A'}`)
    await expectRejected(scenario, await browser.get(callbackUrl), 'state_unknown')
  })

  it.each([
    ['code', 'code=a&code=b'],
    ['state', 'state=x'],
    ['error', 'error=access_denied&error=server_error'],
  ])('S7 a duplicated %s parameter is rejected', async (_name, duplicate) => {
    const scenario = new UpstreamScenario()
    const browser = new Browser()
    const callbackUrl = await flowUpToCallback(browser, scenario)
    const response = await browser.get(`${callbackUrl.toString()}&${duplicate}`)
    await expectRejected(scenario, response, 'duplicate_parameter')
  })

  it('S7 error=access_denied never leads to a code exchange and reaches the app with the provider code', async () => {
    const scenario = new UpstreamScenario()
    await scenario.configure({ authorizeError: 'access_denied' })
    const browser = new Browser()
    const callbackUrl = await flowUpToCallback(browser, scenario, { claims: { return_url: RETURN_URL } })
    const response = await browser.get(callbackUrl)
    expect(response.status).toBe(303)
    const location = new URL(response.headers.get('Location') ?? '')
    expect(`${location.origin}${location.pathname}`).toBe(RETURN_URL)
    expect(Object.fromEntries(location.searchParams)).toEqual({ error: 'provider_denied', provider_error: 'access_denied' })
    expect(await scenario.count('/token')).toBe(0)
  })

  it('S7 another provider error is shown on a clear page without a return URL', async () => {
    const scenario = new UpstreamScenario()
    await scenario.configure({ authorizeError: 'temporarily_unavailable' })
    const browser = new Browser()
    const response = await resultPageAfter(browser, await browser.get(await flowUpToCallback(browser, scenario)))
    expect(response.status).toBe(400)
    expect(await errorCodeOf(response)).toBe('provider_error')
    expect(await response.text()).toContain('temporarily_unavailable')
    expect(await scenario.count('/token')).toBe(0)
  })

  it.each([
    ['the return URL', { claims: { return_url: RETURN_URL } }],
    ['the error page', {}],
  ])('S13 an unregistered error= and its error_description never reach %s: the provider code is unrecognized_error', async (_where, options) => {
    const planted = 'rt_planted-by-the-provider-51c7e0'
    const scenario = new UpstreamScenario()
    await scenario.configure({ authorizeError: planted })
    const browser = new Browser()
    const callbackUrl = `${await flowUpToCallback(browser, scenario, options)}&error_description=${encodeURIComponent(`token ${planted}`)}`

    const response = await browser.get(callbackUrl)
    const location = response.headers.get('Location') ?? ''
    const page = location.startsWith(`${LATCHKEY_ORIGIN}/oauth/done?`) ? await (await browser.get(location)).text() : await response.text()

    expect(`${location}\n${page}`).not.toContain(planted)
    expect(new URL(location).searchParams.get('provider_error')).toBe('unrecognized_error')
    if (!('claims' in options)) expect(page).toContain('unrecognized_error')
    expect(await scenario.count('/token')).toBe(0)
  })

  it('S7 callback responses are no-store, no-referrer and clear the binding cookie', async () => {
    const scenario = new UpstreamScenario()
    const browser = new Browser()
    const callbackUrl = await flowUpToCallback(browser, scenario, { claims: { return_url: RETURN_URL } })
    expect(browser.cookies().size).toBe(1)
    const response = await browser.get(callbackUrl)
    expect(response.status).toBe(303)
    expect(response.headers.get('Cache-Control')).toBe('no-store')
    expect(response.headers.get('Referrer-Policy')).toBe('no-referrer')
    expect(browser.cookies().size).toBe(0)
    // The code leaves the URL: the redirect target carries no code.
    expect(response.headers.get('Location')).not.toContain('code=')
  })

  it('S7 rejected callbacks are no-store and no-referrer too', async () => {
    const response = await new Browser().get(`${LATCHKEY_ORIGIN}/oauth/callback?code=x`)
    expect(await errorCodeOf(response)).toBe('state_missing')
    expect(response.headers.get('Cache-Control')).toBe('no-store')
    expect(response.headers.get('Referrer-Policy')).toBe('no-referrer')
  })

  it('S16 a callback carrying tokens instead of a code (implicit grant) is refused before any token request', async () => {
    const scenario = new UpstreamScenario()
    const browser = new Browser()
    const callbackUrl = await flowUpToCallback(browser, scenario)
    callbackUrl.searchParams.delete('code')
    callbackUrl.searchParams.set('access_token', 'injected')
    callbackUrl.searchParams.set('token_type', 'bearer')
    const response = await resultPageAfter(browser, await browser.get(callbackUrl))
    expect(response.status).toBe(400)
    expect(await errorCodeOf(response)).toBe('code_missing')
    expect(await scenario.count('/token')).toBe(0)
  })

  it('S2 the flow started by one tenant stores the connection for that tenant', async () => {
    const scenario = new UpstreamScenario()
    const browser = new Browser()
    const callbackUrl = await flowUpToCallback(browser, scenario, { tenant: 'tenant-bound', claims: { return_url: RETURN_URL } })
    const response = await browser.get(callbackUrl)
    const connectionId = new URL(response.headers.get('Location') ?? '').searchParams.get('connection_id') ?? ''

    expect(await storedSummary(connectionId)).toMatchObject({ connectionId, tenant: 'tenant-bound', status: 'connected' })
    // The tenant is the one bound to the state, whoever completes the callback: no other tenant reaches it.
    const stub = env.CONNECTIONS.get(env.CONNECTIONS.idFromName(connectionId))
    const foreign = await stub.getSummary('tenant-1').then(
      () => null,
      (error: unknown) => error,
    )
    expect(String(foreign)).toContain('[latchkey:connection_not_found]')
    expect(await stub.getSummary('tenant-bound')).toMatchObject({ tenant: 'tenant-bound' })
  })
})
