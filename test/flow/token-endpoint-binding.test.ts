/**
 * S6 mix-up defence, from the callback's side: the token endpoint a code is sent to is the
 * one stored with the pending authorization when the flow started, never one named by the
 * callback (its `iss`) nor one resolved again when the callback arrives.
 */
import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { Browser } from '../support/browser.ts'
import { authorizeAtUpstream, flowUpToCallback, RETURN_URL, startFlow } from '../support/connect-flow.ts'
import { errorCodeOf } from '../support/error-code.ts'
import { UpstreamScenario } from '../support/upstream.ts'

describe('S6 the token endpoint is the one stored with the transaction', () => {
  it('S6 the stored token endpoint is never taken from the callback: an iss naming another server changes nothing', async () => {
    const honest = new UpstreamScenario()
    const attacker = new UpstreamScenario()
    // The attacker answers the authorization request and says it is the issuer; the connector declares none.
    await attacker.configure({ sendIss: true })
    const browser = new Browser()
    const { authorizeUrl } = await startFlow(browser, honest, { claims: { return_url: RETURN_URL } })
    const callbackUrl = await authorizeAtUpstream(browser, new URL(authorizeUrl.toString().replace(honest.base, attacker.base)))
    expect(callbackUrl.searchParams.get('iss')).toBe(attacker.issuer)

    const response = await browser.get(callbackUrl)

    expect(await errorCodeOf(response)).toBe('token_exchange_failed')
    expect(await honest.count('/token')).toBe(1)
    expect(await attacker.count('/token')).toBe(0)
  })

  it('S6 the token endpoint stored when the flow started is used, not one getOAuthConfig would give at callback time', async () => {
    const configured = new UpstreamScenario()
    const stored = new UpstreamScenario()
    const browser = new Browser()
    const callbackUrl = await flowUpToCallback(browser, configured, { claims: { return_url: RETURN_URL } })
    const key = `state:${callbackUrl.searchParams.get('state')}`
    const record = await env.PENDING_AUTHORIZATIONS.get<Record<string, unknown>>(key, 'json')
    await env.PENDING_AUTHORIZATIONS.put(key, JSON.stringify({ ...record, tokenUri: `${stored.base}/token` }))

    await browser.get(callbackUrl)

    expect(await stored.count('/token')).toBe(1)
    expect(await configured.count('/token')).toBe(0)
  })
})
