/**
 * S20 end to end: connector JavaScript that posts a code or a refresh token with the global
 * `fetch` (as the Notion connector does) cannot be redirected into sending it to another
 * host, and whatever such a host would answer is never stored. The other host is the test
 * upstream under another name (localhost instead of 127.0.0.1): another origin, whose
 * request log shows nothing arrived.
 */
import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { Browser } from '../support/browser.ts'
import { connectThroughFlow, flowUpToCallback, RETURN_URL } from '../support/connect-flow.ts'
import { UpstreamScenario, upstreamOrigin } from '../support/upstream.ts'

/** The same token endpoint path of `scenario`, on another origin. */
function elsewhere(scenario: UpstreamScenario): string {
  return `${upstreamOrigin().replace('127.0.0.1', 'localhost')}/s/${scenario.id}/token`
}

describe('S20 connector code does not follow redirects with secrets', () => {
  it('S20 a getTokenData whose token endpoint answers 307 to another host: nothing arrives there, no connection is stored', async () => {
    const provider = new UpstreamScenario()
    const attacker = new UpstreamScenario()
    await provider.script('/token', [{ status: 307, headers: { Location: elsewhere(attacker) } }])
    const browser = new Browser()
    const callbackUrl = await flowUpToCallback(browser, provider, { connectorKey: 'test-oauth-custom', claims: { return_url: RETURN_URL } })

    const response = await browser.get(callbackUrl)

    const location = new URL(response.headers.get('Location') ?? '')
    expect(location.searchParams.get('error')).toBe('connector_method_failed')
    expect(location.searchParams.has('connection_id')).toBe(false)
    expect(await provider.count('/token')).toBe(1)
    expect(await attacker.count('/token')).toBe(0)
  })

  it('S20 a refreshCredentials redirected to another host: nothing arrives there, the stored token stays', async () => {
    const provider = new UpstreamScenario()
    const attacker = new UpstreamScenario()
    const { connectionId } = await connectThroughFlow(provider, { connectorKey: 'conn-custom-refresh', tenant: 'tenant-s20' })
    const before = await env.LATCHKEY_SELF.getAccessToken('tenant-s20', connectionId)
    await provider.script('/token', [{ status: 308, headers: { Location: elsewhere(attacker) } }])

    const refused: unknown = await env.LATCHKEY_SELF.refresh('tenant-s20', connectionId).catch((error: unknown) => error)

    expect(String(refused)).toContain('[latchkey:refresh_failed]')

    expect(await attacker.count('/token')).toBe(0)
    expect((await env.LATCHKEY_SELF.getAccessToken('tenant-s20', connectionId)).accessToken).toBe(before.accessToken)
    const summary = await env.LATCHKEY_SELF.getConnection('tenant-s20', connectionId)
    expect(summary.lastError?.message).toContain('redirecting to another origin')
  })
})
