/**
 * S21 at the authorize start (src/flow/routes.ts, start-confirmation.ts): a connect link says
 * whose account the connection lands in before the provider opens, when it names the tenant
 * or when this browser is signed in to the connect page as another tenant (a forwarded or
 * planted link); the application's own flows keep their plain redirect.
 */
import { env } from 'cloudflare:test'
import { decodeJwt } from 'jose'
import { describe, expect, it } from 'vitest'
import { Browser } from '../support/browser.ts'
import { authorizeAtUpstream, connectUrl, RETURN_URL } from '../support/connect-flow.ts'
import { openPage, pageVisitor } from '../support/connect-page.ts'
import { newTenant } from '../support/connections.ts'
import { errorCodeOf } from '../support/error-code.ts'
import { mintNamedPageToken } from '../support/login-csrf.ts'
import { UpstreamScenario } from '../support/upstream.ts'

/** The authorize URL a confirmation page links to. */
function continueLink(html: string): URL {
  const href = /<a class="continue" href="([^"]+)"/.exec(html)?.[1] ?? ''
  return new URL(href.replace(/&amp;/g, '&'))
}

describe('S21 the authorize start', () => {
  it('S21 the authorize start names the tenant before sending the browser to the provider', async () => {
    const scenario = new UpstreamScenario()
    const browser = new Browser()
    const url = await connectUrl(scenario, { claims: { name: 'Alice <alice@example.com>', return_url: RETURN_URL } })
    const response = await browser.get(url)
    expect(response.status).toBe(200)
    expect(response.headers.get('Location')).toBeNull()
    const html = await response.text()
    expect(html).toContain('<h1>Connect Test OAuth (mappings) for <strong>Alice &lt;alice@example.com&gt;</strong>?</h1>')
    expect(response.headers.get('X-Frame-Options')).toBe('DENY')
    expect(response.headers.get('Cache-Control')).toBe('no-store')
    expect(html).not.toContain(new URL(url).searchParams.get('token') ?? '-')

    // Continuing is the flow as before: the state is bound to this browser.
    const authorizeUrl = continueLink(html)
    expect(`${authorizeUrl.origin}${authorizeUrl.pathname}`).toBe(`${scenario.base}/authorize`)
    const callback = await browser.get(await authorizeAtUpstream(browser, authorizeUrl))
    expect(callback.status).toBe(303)
    expect(new URL(callback.headers.get('Location') ?? '').searchParams.get('status')).toBe('connected')
  })

  it('S21 a connect link for another tenant in a browser signed in to the connect page is shown, not followed', async () => {
    const visitor = pageVisitor()
    await openPage(visitor, await mintNamedPageToken(newTenant(), 'Alice'))
    const attacker = newTenant()
    const response = await visitor.get(await connectUrl(new UpstreamScenario(), { tenant: attacker }), { 'Sec-Fetch-Site': 'cross-site' })
    expect(response.status).toBe(200)
    const html = await response.text()
    expect(html).toContain(`You are signed in as <strong>Alice</strong>, but this link connects an account for account <code>${attacker}</code>.`)
    expect(html).toContain('role="alert"')
  })

  it('S21 a connect token whose name cannot be shown is refused', async () => {
    const response = await new Browser().get(await connectUrl(new UpstreamScenario(), { claims: { name: 'Alice\u202Eecila' } }))
    expect(response.status).toBe(401)
    expect(await errorCodeOf(response)).toBe('invalid_connect_token')
  })

  it('S21 createConnectUrl carries displayName into the one-time URL, and refuses one that cannot be shown', async () => {
    const tenant = newTenant()
    const { url } = await env.LATCHKEY_SELF.createConnectUrl({ tenant, connectorKey: 'test-oauth', connectionInput: { scenario: 'flow-s21' }, displayName: 'Alice' })
    expect(decodeJwt(new URL(url).searchParams.get('token') ?? '')).toMatchObject({ sub: tenant, name: 'Alice' })
    const page = await new Browser().get(url)
    expect(page.status).toBe(200)
    expect(await page.text()).toContain('for <strong>Alice</strong>?</h1>')

    const refused = await errorCodeOf(() =>
      env.LATCHKEY_SELF.createConnectUrl({ tenant, connectorKey: 'test-oauth', connectionInput: { scenario: 'flow-s21' }, displayName: '\u0000' }),
    )
    expect(refused).toBe('invalid_request')
  })
})

describe('what stays as it was', () => {
  it('a connect link for the tenant of the page session goes straight to the provider', async () => {
    const tenant = newTenant()
    const visitor = pageVisitor()
    await openPage(visitor, await mintNamedPageToken(tenant, 'Alice'))
    const response = await visitor.get(await connectUrl(new UpstreamScenario(), { tenant, claims: { name: 'Alice' } }))
    expect(response.status).toBe(302)
  })
})
