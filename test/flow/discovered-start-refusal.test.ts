/**
 * A discovered connection whose resource leads nowhere usable (no metadata, a URL the rules
 * refuse) ends at the application's return URL with the code, like a refusal at the provider:
 * the URL was typed by a user, so the application must be able to tell them. Errors that are the
 * application's own (a bad connect token) still end on Latchkey's error page.
 */
import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { createConnectUrl } from '../../src/flow/connect-url.ts'
import { Browser } from '../support/browser.ts'
import { upstreamOrigin } from '../support/upstream.ts'

async function startWith(resourceUrl: string, options: { returnUrl?: string; mode?: 'popup' } = {}): Promise<Response> {
  const { url } = await createConnectUrl(env, { tenant: 'tenant-refusal', connectorKey: 'mcp', connectionInput: { resourceUrl }, ...options })
  return new Browser().get(url)
}

describe('a discovered connection that cannot start', () => {
  it('returns discovered_url_refused to the return URL for a URL the rules refuse', async () => {
    const response = await startWith('https://10.0.0.1/mcp', { returnUrl: 'https://app.example.com/back' })
    expect(response.status).toBe(303)
    const location = new URL(response.headers.get('Location') ?? '')
    expect(`${location.origin}${location.pathname}`).toBe('https://app.example.com/back')
    expect(location.searchParams.get('error')).toBe('discovered_url_refused')
    expect(location.searchParams.get('status')).toBeNull()
    expect(response.headers.get('Set-Cookie')).toBeNull()
  })

  it('returns discovery_failed to the return URL when the resource publishes no metadata', async () => {
    const response = await startWith(`${upstreamOrigin()}/no-such-resource`, { returnUrl: 'https://app.example.com/back' })
    const location = new URL(response.headers.get('Location') ?? '')
    expect(location.searchParams.get('error')).toBe('discovery_failed')
  })

  it('without a return URL, shows the result page with the code', async () => {
    const browser = new Browser()
    const { url } = await createConnectUrl(env, { tenant: 'tenant-refusal', connectorKey: 'mcp', connectionInput: { resourceUrl: 'https://10.0.0.1/mcp' } })
    const start = await browser.get(url)
    expect(start.status).toBe(303)
    const page = await browser.get(start.headers.get('Location') ?? '')
    expect(page.status).toBe(400)
    expect(await page.text()).toContain('discovered_url_refused')
  })
})
