import { describe, expect, it } from 'vitest'
import { Browser } from '../support/browser.ts'
import { connectThroughFlow, connectUrl, expectCodeFreeRedirect, flowUpToCallback, resultPageAfter } from '../support/connect-flow.ts'
import { storedCredentials, storedSummary } from '../support/connections.ts'
import { errorCodeOf } from '../support/error-code.ts'
import { UpstreamScenario } from '../support/upstream.ts'

const RETURN_URL = 'https://app.example.com/settings/integrations?tab=crm'

/** What the popup page posts to its opener (the `data-result` attribute, HTML-unescaped). */
function popupResult(page: string): Record<string, unknown> {
  const attribute = /data-result="([^"]*)"/.exec(page)?.[1] ?? '{}'
  return JSON.parse(
    attribute
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&amp;/g, '&'),
  ) as Record<string, unknown>
}

describe('how the flow ends', () => {
  it('S7 redirects (303) to the return URL with connection_id and status, keeping its query, without the code', async () => {
    const scenario = new UpstreamScenario()
    const browser = new Browser()
    const response = await browser.get(await flowUpToCallback(browser, scenario, { claims: { return_url: RETURN_URL } }))
    const location = expectCodeFreeRedirect(response)
    expect(`${location.origin}${location.pathname}`).toBe('https://app.example.com/settings/integrations')
    expect(location.searchParams.get('tab')).toBe('crm')
    expect(location.searchParams.get('status')).toBe('connected')
    const connectionId = location.searchParams.get('connection_id') ?? ''
    expect(connectionId).toMatch(/^conn_[a-z2-7]{26}$/)
    expect(await storedSummary(connectionId)).toMatchObject({ connectorKey: 'test-oauth', tenant: 'tenant-1', status: 'connected' })
    expect(await scenario.count('/api/me')).toBe(1)
  })

  it('S7 in popup mode the callback answers 303 to the result route without the code, which posts the result to the opener and closes', async () => {
    const scenario = new UpstreamScenario()
    const browser = new Browser()
    const callback = await browser.get(await flowUpToCallback(browser, scenario, { claims: { return_url: RETURN_URL, mode: 'popup' } }))
    const location = expectCodeFreeRedirect(callback)
    expect(Object.fromEntries(location.searchParams)).toEqual({
      status: 'connected',
      connection_id: expect.stringMatching(/^conn_[a-z2-7]{26}$/),
      origin: 'https://app.example.com',
      sig: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    })

    const response = await resultPageAfter(browser, callback)
    expect(response.status).toBe(200)
    expect(response.headers.get('Content-Type')).toContain('text/html')
    expect(response.headers.get('Cache-Control')).toBe('no-store')
    expect(response.headers.get('Referrer-Policy')).toBe('no-referrer')
    const csp = response.headers.get('Content-Security-Policy') ?? ''
    const nonce = /script-src 'nonce-([A-Za-z0-9_-]+)'/.exec(csp)?.[1]
    expect(csp).toContain("default-src 'none'")
    const page = await response.text()
    expect(page).toContain(`<script nonce="${nonce}">`)
    expect(page).toContain('window.opener.postMessage(JSON.parse(data.result), data.targetOrigin)')
    expect(page).toContain('window.close()')
    expect(page).toContain('data-target-origin="https://app.example.com"')
    expect(popupResult(page)).toEqual({ type: 'latchkey:connect', status: 'connected', connectionId: location.searchParams.get('connection_id') })
  })

  it('S7 in popup mode a failure goes through the result route too, and is posted with its codes', async () => {
    const scenario = new UpstreamScenario()
    await scenario.configure({ authorizeError: 'access_denied' })
    const browser = new Browser()
    const callback = await browser.get(await flowUpToCallback(browser, scenario, { claims: { return_url: RETURN_URL, mode: 'popup' } }))
    const page = await (await resultPageAfter(browser, callback)).text()
    expect(popupResult(page)).toEqual({ type: 'latchkey:connect', status: 'failed', error: 'provider_denied', providerError: 'access_denied' })
    expect(await scenario.count('/token')).toBe(0)
  })

  it('S7 without a return URL the callback answers 303 to the result route without the code, which shows a small success page', async () => {
    const scenario = new UpstreamScenario()
    const browser = new Browser()
    const callback = await browser.get(await flowUpToCallback(browser, scenario))
    const location = expectCodeFreeRedirect(callback)
    expect([...location.searchParams.keys()].sort()).toEqual(['connection_id', 'sig', 'status'])

    const response = await resultPageAfter(browser, callback)
    expect(response.status).toBe(200)
    const page = await response.text()
    expect(page).toContain('<h1>Connected</h1>')
    expect(page).toContain(location.searchParams.get('connection_id'))
  })

  it('S7 without a return URL a failure ends on the result route with the error code and its HTTP status', async () => {
    const scenario = new UpstreamScenario()
    await scenario.script('/token', [{ status: 400, body: { error: 'invalid_grant' } }])
    const browser = new Browser()
    const callback = await browser.get(await flowUpToCallback(browser, scenario))
    expect(Object.fromEntries(expectCodeFreeRedirect(callback).searchParams)).toEqual({ status: 'failed', error: 'token_exchange_failed', sig: expect.any(String) })

    const response = await resultPageAfter(browser, callback)
    expect(response.status).toBe(502)
    expect(await errorCodeOf(response)).toBe('token_exchange_failed')
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
    const response = await new Browser().get(await connectUrl(new UpstreamScenario(), { claims: { connection_id: 'conn_aaaaaaaaaaaaaaaaaaaaaaaaaa' } }))
    expect(await errorCodeOf(response)).toBe('connection_not_found')
  })
})
