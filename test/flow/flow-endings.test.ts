import { describe, expect, it } from 'vitest'
import { Browser } from '../support/browser.ts'
import { connectThroughFlow, connectUrl, errorCodeOf, flowUpToCallback } from '../support/connect-flow.ts'
import { storedCredentials, storedSummary } from '../support/connections.ts'
import { UpstreamScenario } from '../support/upstream.ts'

const RETURN_URL = 'https://app.example.com/settings/integrations?tab=crm'

describe('how the flow ends', () => {
  it('redirects (303) to the return URL with connection_id and status, keeping its query', async () => {
    const scenario = new UpstreamScenario()
    const browser = new Browser()
    const response = await browser.get(await flowUpToCallback(browser, scenario, { claims: { return_url: RETURN_URL } }))
    expect(response.status).toBe(303)
    const location = new URL(response.headers.get('Location') ?? '')
    expect(`${location.origin}${location.pathname}`).toBe('https://app.example.com/settings/integrations')
    expect(location.searchParams.get('tab')).toBe('crm')
    expect(location.searchParams.get('status')).toBe('connected')
    const connectionId = location.searchParams.get('connection_id') ?? ''
    expect(connectionId).toMatch(/^conn_[a-z2-7]{26}$/)
    expect(await storedSummary(connectionId)).toMatchObject({ connectorKey: 'test-oauth', tenant: 'tenant-1', status: 'connected' })
    expect(await scenario.count('/api/me')).toBe(1)
  })

  it('in popup mode posts the result to the opener at the return URL origin and closes', async () => {
    const scenario = new UpstreamScenario()
    const browser = new Browser()
    const response = await browser.get(await flowUpToCallback(browser, scenario, { claims: { return_url: RETURN_URL, mode: 'popup' } }))
    expect(response.status).toBe(200)
    expect(response.headers.get('Content-Type')).toContain('text/html')
    const csp = response.headers.get('Content-Security-Policy') ?? ''
    const nonce = /script-src 'nonce-([A-Za-z0-9_-]+)'/.exec(csp)?.[1]
    expect(csp).toContain("default-src 'none'")
    const page = await response.text()
    expect(page).toContain(`<script nonce="${nonce}">`)
    expect(page).toContain('window.opener.postMessage(JSON.parse(data.result), data.targetOrigin)')
    expect(page).toContain('window.close()')
    expect(page).toContain('data-target-origin="https://app.example.com"')
    const result = JSON.parse(
      (/data-result="([^"]*)"/.exec(page)?.[1] ?? '{}').replace(/&quot;/g, '"').replace(/&amp;/g, '&').replace(/&#39;/g, "'"),
    ) as Record<string, unknown>
    expect(result).toMatchObject({ type: 'latchkey:connect', status: 'connected', connectionId: expect.stringMatching(/^conn_/) })
  })

  it('in popup mode posts a failure too', async () => {
    const scenario = new UpstreamScenario()
    await scenario.configure({ authorizeError: 'access_denied' })
    const browser = new Browser()
    const response = await browser.get(await flowUpToCallback(browser, scenario, { claims: { return_url: RETURN_URL, mode: 'popup' } }))
    const page = await response.text()
    expect(page).toContain('&quot;error&quot;:&quot;provider_denied&quot;')
    expect(page).toContain('&quot;providerError&quot;:&quot;access_denied&quot;')
    expect(await scenario.count('/token')).toBe(0)
  })

  it('without a return URL shows a small success page', async () => {
    const scenario = new UpstreamScenario()
    const browser = new Browser()
    const response = await browser.get(await flowUpToCallback(browser, scenario))
    expect(response.status).toBe(200)
    const page = await response.text()
    expect(page).toContain('<h1>Connected</h1>')
    expect(page).toMatch(/conn_[a-z2-7]{26}/)
  })

  it('keeps a connection whose test fails and reports its status', async () => {
    const scenario = new UpstreamScenario()
    await scenario.script('/api/me', [{ status: 500, body: { error: 'down' } }])
    const browser = new Browser()
    const response = await browser.get(await flowUpToCallback(browser, scenario, { claims: { return_url: RETURN_URL } }))
    const location = new URL(response.headers.get('Location') ?? '')
    expect(location.searchParams.get('status')).toBe('error')
    const summary = await storedSummary(location.searchParams.get('connection_id') ?? '')
    expect(summary?.testResult?.ok).toBe(false)
  })
})

describe('reconnecting', () => {
  it('replaces the credentials of the existing connection and keeps its id', async () => {
    const scenario = new UpstreamScenario()
    const { connectionId } = await connectThroughFlow(scenario)
    const before = await storedCredentials(connectionId)
    const { connectionId: again } = await connectThroughFlow(scenario, { claims: { connection_id: connectionId } })
    expect(again).toBe(connectionId)
    const after = await storedCredentials(connectionId)
    expect(after['access_token']).not.toBe(before['access_token'])
    expect(await scenario.count('/token')).toBe(2)
  })

  it.each([
    ['another tenant', { tenant: 'tenant-2' }],
    ['another connector', { connectorKey: 'test-oauth-mapped' }],
  ])('refuses to reconnect a connection of %s', async (_case, options) => {
    const scenario = new UpstreamScenario()
    const { connectionId } = await connectThroughFlow(scenario)
    const response = await new Browser().get(await connectUrl(scenario, { ...options, claims: { connection_id: connectionId } }))
    expect(response.status).toBe(404)
    expect(await errorCodeOf(response)).toBe('connection_not_found')
  })

  it('refuses to reconnect a connection that does not exist', async () => {
    const response = await new Browser().get(
      await connectUrl(new UpstreamScenario(), { claims: { connection_id: 'conn_aaaaaaaaaaaaaaaaaaaaaaaaaa' } }),
    )
    expect(await errorCodeOf(response)).toBe('connection_not_found')
  })
})
