/**
 * One-time connect URLs claimed at completion (S15, with S2): the start route only verifies the
 * token and writes the pending record, so a link scanner's GET does not burn the URL; the jti
 * is claimed together with the state when a flow completes (AuthorizationStateGuard.claimBoth),
 * so one URL still yields at most one connection, and a second completion is refused with
 * `invalid_connect_token` before any token request. OAuth 1.0a and the typed-credentials form
 * have the same tests in oauth1-flow.test.ts and credential-form.test.ts.
 */
import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { Browser } from '../support/browser.ts'
import { callbackFromUrl, connectUrlFor, RETURN_URL } from '../support/connect-flow.ts'
import { newTenant, storedSummary } from '../support/connections.ts'
import { errorCodeOf } from '../support/error-code.ts'
import { verifierEnv } from '../support/login-csrf.ts'
import { UpstreamScenario } from '../support/upstream.ts'

/** A one-time connect URL for test-oauth (a `jti`), returning to RETURN_URL. */
async function oneTimeUrl(scenario: UpstreamScenario, tenant: string = newTenant()): Promise<string> {
  return connectUrlFor('test-oauth', { sub: tenant, input: { scenario: scenario.id }, return_url: RETURN_URL, jti: crypto.randomUUID() })
}

/** The connection id a callback's 303 to the return URL reports as connected. */
async function connectedId(response: Response): Promise<string> {
  expect(response.status, String(await errorCodeOf(response.clone()))).toBe(303)
  const location = new URL(response.headers.get('Location') ?? '')
  expect(location.searchParams.get('status')).toBe('connected')
  return location.searchParams.get('connection_id') ?? ''
}

/** The connect URL was used by another flow: refused with a page, before any token request. */
async function expectAlreadyUsed(scenario: UpstreamScenario, response: Response, tokenRequests: number): Promise<void> {
  expect(response.status).toBe(401)
  expect(await errorCodeOf(response)).toBe('invalid_connect_token')
  expect(await scenario.count('/token')).toBe(tokenRequests)
}

describe('S15 one-time connect URLs are claimed when a flow completes', () => {
  it("S15 a link scanner's GET does not burn the URL: the user's browser then starts and completes the flow", async () => {
    const scenario = new UpstreamScenario()
    const url = await oneTimeUrl(scenario)
    const scanner = await new Browser().get(url)
    expect(scanner.status).toBe(302)

    const browser = new Browser()
    const connectionId = await connectedId(await browser.get(await callbackFromUrl(browser, url)))
    expect(connectionId).toMatch(/^conn_[a-z2-7]{26}$/)
    expect(await scenario.count('/token')).toBe(1)
  })

  it('S15 two browsers start flows from one URL and complete both: exactly one connection, the second refused before any token request', async () => {
    const scenario = new UpstreamScenario()
    const url = await oneTimeUrl(scenario)
    const first = new Browser()
    const second = new Browser()
    const firstCallback = await callbackFromUrl(first, url)
    const secondCallback = await callbackFromUrl(second, url)

    const connectionId = await connectedId(await first.get(firstCallback))
    expect(await scenario.count('/token')).toBe(1)
    await expectAlreadyUsed(scenario, await second.get(secondCallback), 1)
    expect(await storedSummary(connectionId)).toMatchObject({ status: 'connected' })
    // A URL once used still starts a flow (the start makes no claim), whose completion is refused.
    const third = new Browser()
    await expectAlreadyUsed(scenario, await third.get(await callbackFromUrl(third, url)), 1)
  })

  it('S15 concurrent completions of flows from one URL: exactly one connects', async () => {
    const scenario = new UpstreamScenario()
    const url = await oneTimeUrl(scenario)
    const browsers = [new Browser(), new Browser(), new Browser(), new Browser()]
    const callbacks = await Promise.all(browsers.map((browser) => callbackFromUrl(browser, url)))
    const responses = await Promise.all(browsers.map((browser, index) => browser.get(callbacks[index] ?? '')))
    expect(responses.map((response) => response.status).sort()).toEqual([303, 401, 401, 401])
    const codes = await Promise.all(responses.map((response) => errorCodeOf(response.clone())))
    expect(codes.filter((code) => code === 'invalid_connect_token')).toHaveLength(3)
    expect(await scenario.count('/token')).toBe(1)
  })

  it('S2 a replayed callback of a flow from a one-time URL is state_reused, not a second use of the URL', async () => {
    const scenario = new UpstreamScenario()
    const browser = new Browser()
    const callbackUrl = await callbackFromUrl(browser, await oneTimeUrl(scenario))
    const cookies = browser.cookies()
    await connectedId(await browser.get(callbackUrl))

    for (const [name, value] of cookies) browser.setCookie(name, value)
    const replays = await Promise.all([browser.get(callbackUrl), browser.get(callbackUrl)])
    for (const replay of replays) {
      expect(replay.status).toBe(400)
      expect(await errorCodeOf(replay)).toBe('state_reused')
    }
    expect(await scenario.count('/token')).toBe(1)
  })

  it('S2 concurrent callbacks with one state of a one-time URL exchange the code once', async () => {
    const scenario = new UpstreamScenario()
    const browser = new Browser()
    const callbackUrl = await callbackFromUrl(browser, await oneTimeUrl(scenario))
    const responses = await Promise.all([browser.get(callbackUrl), browser.get(callbackUrl), browser.get(callbackUrl)])
    expect(responses.map((response) => response.status).sort()).toEqual([303, 400, 400])
    const codes = await Promise.all(responses.map((response) => errorCodeOf(response.clone())))
    expect(codes.filter((code) => code === 'state_reused')).toHaveLength(2)
    expect(await scenario.count('/token')).toBe(1)
  })

  it('S2 a refused second flow leaves nothing claimable: its state is refused again, the URL stays used', async () => {
    const scenario = new UpstreamScenario()
    const url = await oneTimeUrl(scenario)
    const first = new Browser()
    const second = new Browser()
    const secondCallback = await callbackFromUrl(second, url)
    const cookies = second.cookies()
    await connectedId(await first.get(await callbackFromUrl(first, url)))
    await expectAlreadyUsed(scenario, await second.get(secondCallback), 1)
    for (const [name, value] of cookies) second.setCookie(name, value)
    await expectAlreadyUsed(scenario, await second.get(secondCallback), 1)
  })
})

describe('S15 with the user verifier on (S21)', () => {
  it('S15 S21 the URL is claimed with the state at the callback: a second flow from it never reaches the verify page', async () => {
    const scenario = new UpstreamScenario()
    const tenant = newTenant()
    const url = await connectUrlFor('test-oauth', { sub: tenant, input: { scenario: scenario.id }, return_url: RETURN_URL, jti: crypto.randomUUID() })
    const first = new Browser({ env: verifierEnv })
    const second = new Browser({ env: verifierEnv })
    const firstCallback = await callbackFromUrl(first, url)
    const secondCallback = await callbackFromUrl(second, url)

    const toVerify = await first.get(firstCallback)
    expect(toVerify.status).toBe(303)
    await expectAlreadyUsed(scenario, await second.get(secondCallback), 0)

    const flowToken = new URL(toVerify.headers.get('Location') ?? '').searchParams.get('latchkey_flow') ?? ''
    const { url: back } = await env.LATCHKEY_SELF.confirmUserVerification(flowToken, tenant)
    await connectedId(await first.get(back))
    expect(await scenario.count('/token')).toBe(1)
  })
})
