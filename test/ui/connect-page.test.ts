/**
 * The connect page routes in workerd (src/ui/routes.ts): nothing without a page token (S14,
 * S15), page and connect tokens not interchangeable, CSRF on every post, statuses in words,
 * and no token or credential in any page.
 */
import { decodeJwt } from 'jose'
import { describe, expect, it } from 'vitest'
import { LATCHKEY_ORIGIN, type Browser } from '../support/browser.ts'
import { openPage, pageVisitor, readPage, submitPageForm } from '../support/connect-page.ts'
import { connectionObject, newTenant, storeConnection, storedSummary } from '../support/connections.ts'
import { mintConnectToken, mintPageToken, pageTokenParts, signToken, unsignedToken } from '../support/connect-token.ts'
import { errorCodeOf } from '../support/error-code.ts'

/** A visitor with an open page session for a fresh tenant. */
async function signedIn(mode: 'redirect' | 'popup' = 'redirect'): Promise<{ visitor: Browser; tenant: string }> {
  const tenant = newTenant()
  const visitor = pageVisitor()
  expect((await openPage(visitor, await mintPageToken(tenant, mode))).status).toBe(303)
  return { visitor, tenant }
}

describe('access (S14, S15)', () => {
  it.each([
    ['GET', '/connections'],
    ['POST', '/connections/connect'],
    ['POST', '/connections/conn_aaaaaaaaaaaaaaaaaaaaaaaaaa/reconnect'],
    ['GET', '/connections/conn_aaaaaaaaaaaaaaaaaaaaaaaaaa/disconnect'],
    ['POST', '/connections/conn_aaaaaaaaaaaaaaaaaaaaaaaaaa/disconnect'],
  ])('S14 %s %s without a page session is refused', async (method, path) => {
    const stored = await storeConnection({ label: 'ui-no-session' })
    const response = await pageVisitor().request(`${LATCHKEY_ORIGIN}${path}`, {
      method,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: method === 'POST' ? 'csrf=x' : undefined,
    })
    expect(response.status).toBe(401)
    expect(await errorCodeOf(response)).toBe('invalid_page_token')
    expect(await response.text()).not.toContain(stored.connectionId)
  })

  const tenant = 'tenant-forged'
  it.each([
    ['signed with another secret', async () => signToken(pageTokenParts(tenant).header, pageTokenParts(tenant).claims, 'another-secret-another-secret-another')],
    ['unsigned (alg none)', async () => unsignedToken(pageTokenParts(tenant).claims)],
    ['expired', async () => signToken(pageTokenParts(tenant).header, { ...pageTokenParts(tenant).claims, exp: Math.floor(Date.now() / 1000) - 120 })],
    ['valid for more than an hour', async () => signToken(pageTokenParts(tenant).header, { ...pageTokenParts(tenant).claims, exp: Math.floor(Date.now() / 1000) + 7200 })],
    ['without the page audience', async () => signToken(pageTokenParts(tenant).header, { ...pageTokenParts(tenant).claims, aud: 'someone-else' })],
    ['without the critical header', async () => signToken({ typ: 'JWT' }, pageTokenParts(tenant).claims)],
    ['without sub', async () => signToken(pageTokenParts(tenant).header, { ...pageTokenParts(tenant).claims, sub: undefined })],
    ['with an unknown mode', async () => signToken(pageTokenParts(tenant).header, { ...pageTokenParts(tenant).claims, mode: 'iframe' })],
    ['a connect token', async () => mintConnectToken({ sub: tenant })],
  ])('S15 a page token %s opens no session', async (_case, makeToken) => {
    const response = await openPage(pageVisitor(), await makeToken())
    expect(response.status).toBe(401)
    expect(await errorCodeOf(response)).toBe('invalid_page_token')
    expect(response.headers.get('Set-Cookie')).toBeNull()
  })

  it('S15 a page token does not start a connection', async () => {
    const response = await pageVisitor().get(`${LATCHKEY_ORIGIN}/connect/test-oauth?token=${await mintPageToken(newTenant())}`)
    expect(response.status).toBe(401)
    expect(await errorCodeOf(response)).toBe('invalid_connect_token')
    expect(response.headers.get('Location')).toBeNull()
  })

  it('trades the page token for a __Host- HttpOnly cookie and takes it out of the address bar', async () => {
    const token = await mintPageToken(newTenant())
    const response = await openPage(pageVisitor(), token)
    expect(response.status).toBe(303)
    expect(response.headers.get('Location')).toBe('/connections')
    const cookies = response.headers.getAll('Set-Cookie')
    expect(cookies).toContainEqual(expect.stringMatching(new RegExp(`^__Host-latchkey-page=${token}; Max-Age=(59\\d|600); Path=/; Secure; HttpOnly; SameSite=Lax$`)))
    // A partitioned session of popup mode would otherwise be sent alongside.
    expect(cookies).toContain('__Host-latchkey-page=; Max-Age=0; Path=/; Secure; HttpOnly; SameSite=None; Partitioned')
    expect(response.headers.get('Cache-Control')).toBe('no-store')
    expect(response.headers.get('Referrer-Policy')).toBe('no-referrer')
  })
})

describe('the page', () => {
  it("shows each connection of the tenant with its status in words, and no other tenant's", async () => {
    const { visitor, tenant } = await signedIn()
    const connected = await storeConnection({ label: 'ui-connected', tenant })
    const needsReauth = await storeConnection({ label: 'ui-reauth', tenant })
    await needsReauth.scenario.script('/token', [{ status: 400, body: { error: 'invalid_grant' } }])
    await expect(connectionObject(needsReauth.connectionId).refresh(tenant)).rejects.toMatchObject({ code: 'needs_reauth' })
    const failing = await storeConnection({ label: 'ui-error', tenant })
    await failing.scenario.expireAccessTokens()
    expect((await connectionObject(failing.connectionId).testConnection(tenant)).status).toBe('error')
    const foreign = await storeConnection({ label: 'ui-foreign' })

    const { response, html } = await readPage(visitor)
    expect(response.status).toBe(200)
    const card = (connectionId: string): string => {
      const start = html.indexOf(`<code>${connectionId}</code>`)
      return html.slice(html.lastIndexOf('<li class="card">', start), html.indexOf('</li>', start))
    }
    expect(card(connected.connectionId)).toMatch(/Status: <strong><span aria-hidden="true">✓<\/span> Connected<\/strong>/)
    expect(card(needsReauth.connectionId)).toMatch(/Status: <strong><span aria-hidden="true">!<\/span> Needs reconnecting<\/strong>/)
    expect(card(needsReauth.connectionId)).toContain('<code>needs_reauth</code>')
    expect(card(failing.connectionId)).toMatch(/Status: <strong><span aria-hidden="true">✕<\/span> Error<\/strong>/)
    expect(card(failing.connectionId)).toContain('<code>connection_test_failed</code>')
    for (const connectionId of [connected.connectionId, needsReauth.connectionId, failing.connectionId]) {
      expect(card(connectionId)).toContain(`<form method="post" action="/connections/${connectionId}/reconnect"`)
      // Disconnect first asks (test/ui/disconnect-confirmation.test.ts).
      expect(card(connectionId)).toContain(`<form method="get" action="/connections/${connectionId}/disconnect"`)
    }
    expect(html).not.toContain(foreign.connectionId)
  })

  it('S13 shows no token, credential or page token', async () => {
    const tenant = newTenant()
    const token = await mintPageToken(tenant)
    const visitor = pageVisitor()
    await openPage(visitor, token)
    const stored = await storeConnection({ label: 'ui-secrets', tenant })
    const { html } = await readPage(visitor)
    expect(html).toContain(stored.connectionId)
    for (const secret of [token, stored.tokens.access_token, stored.tokens.refresh_token ?? '-', visitor.cookieHeader()]) expect(html).not.toContain(secret)
  })

  it('offers the configured connectors with labelled input fields, and hides unconfigured ones', async () => {
    const { visitor } = await signedIn()
    const { html } = await readPage(visitor)
    const form = html.slice(html.indexOf('value="test-oauth"'), html.indexOf('</form>', html.indexOf('value="test-oauth"')))
    expect(form).toContain('<label for="field-test-oauth-scenario">scenario</label>')
    expect(form).toContain('<input type="text" id="field-test-oauth-scenario" name="input.scenario" required aria-required="true"')
    expect(form).toContain('<button type="submit" class="primary">Connect Test OAuth (mappings)</button>')
    expect(html).not.toContain('value="test-misconfigured"')
  })

  it('sends redirect mode with a CSP nonce, no framing, no caching and no referrer', async () => {
    const { visitor } = await signedIn()
    const { response } = await readPage(visitor)
    const csp = response.headers.get('Content-Security-Policy') ?? ''
    expect(csp).toMatch(/^default-src 'none'; script-src 'nonce-[A-Za-z0-9_-]{43}'; style-src 'nonce-[A-Za-z0-9_-]{43}'; base-uri 'none'; form-action 'self' https:/)
    expect(csp).toContain("frame-ancestors 'none'")
    expect(response.headers.get('X-Frame-Options')).toBe('DENY')
    expect(response.headers.get('Cache-Control')).toBe('no-store')
    expect(response.headers.get('Referrer-Policy')).toBe('no-referrer')
  })

  it('in popup mode may be framed by the application and submits connect forms into a popup', async () => {
    const tenant = newTenant()
    const visitor = pageVisitor()
    const exchange = await openPage(visitor, await mintPageToken(tenant, 'popup'))
    expect(exchange.headers.getAll('Set-Cookie')).toContainEqual(expect.stringMatching(/; Secure; HttpOnly; SameSite=None; Partitioned$/))
    await storeConnection({ label: 'ui-popup', tenant })
    const { response, html } = await readPage(visitor)
    const csp = response.headers.get('Content-Security-Policy') ?? ''
    expect(csp).toContain('frame-ancestors https://app.example.com http://localhost:5173 https://latchkey.test')
    expect(response.headers.get('X-Frame-Options')).toBeNull()
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1]
    expect(html).toContain(`<script nonce="${nonce}">`)
    expect(html).toMatch(/action="\/connections\/connect" target="latchkey-connect" data-opens-popup/)
    expect(html).toMatch(/action="\/connections\/conn_[a-z2-7]{26}\/reconnect" target="latchkey-connect" data-opens-popup/)
    expect(html).toMatch(/<form method="get" action="\/connections\/conn_[a-z2-7]{26}\/disconnect">/)
  })

  it.each([
    [
      '?error=provider_denied&provider_error=access_denied',
      'alert',
      'The connection was not completed (error code provider_denied). The provider answered &quot;access_denied&quot;.',
    ],
    ['?error=%3Cscript%3Ealert(1)%3C%2Fscript%3E', 'alert', 'The connection was not completed (error code internal_error).'],
    ['?notice=disconnected', 'status', 'The connection was disconnected.'],
  ])('shows what %s reports, never raw input', async (query, role, text) => {
    const { visitor } = await signedIn()
    const { html } = await readPage(visitor, `/connections${query}`)
    expect(html).toContain(`role="${role}">${text}</p>`)
    expect(html).not.toContain('<script>alert')
  })
})

describe('actions', () => {
  it('Connect redirects to a one-time connect URL that returns to the page', async () => {
    const { visitor, tenant } = await signedIn()
    const { csrf } = await readPage(visitor)
    const response = await submitPageForm(visitor, '/connections/connect', { csrf, connector: 'test-oauth', 'input.scenario': 'ui-connect' })
    expect(response.status).toBe(303)
    const location = new URL(response.headers.get('Location') ?? '')
    expect(`${location.origin}${location.pathname}`).toBe(`${LATCHKEY_ORIGIN}/connect/test-oauth`)
    const claims = decodeJwt(location.searchParams.get('token') ?? '')
    expect(claims).toMatchObject({ sub: tenant, connector: 'test-oauth', input: { scenario: 'ui-connect' }, return_url: `${LATCHKEY_ORIGIN}/connections`, mode: 'redirect' })
    expect(typeof claims.jti).toBe('string')
    // The URL really starts the flow.
    expect((await pageVisitor().get(location)).status).toBe(302)
  })

  it('the MCP server card takes the server URL; a URL that leads nowhere comes back to the page with its code', async () => {
    const { visitor } = await signedIn()
    const { html, csrf } = await readPage(visitor)
    const form = html.slice(html.indexOf('value="mcp"'), html.indexOf('</form>', html.indexOf('value="mcp"')))
    expect(form).toContain('<label for="field-mcp-resourceUrl">Server URL</label>')
    const response = await submitPageForm(visitor, '/connections/connect', { csrf, connector: 'mcp', 'input.resourceUrl': 'https://10.0.0.1/mcp' })
    const connectUrl = new URL(response.headers.get('Location') ?? '')
    expect(decodeJwt(connectUrl.searchParams.get('token') ?? '')).toMatchObject({ connector: 'mcp', input: { resourceUrl: 'https://10.0.0.1/mcp' } })
    const start = await visitor.get(connectUrl)
    expect(start.status).toBe(303)
    const back = new URL(start.headers.get('Location') ?? '')
    expect(`${back.origin}${back.pathname}`).toBe(`${LATCHKEY_ORIGIN}/connections`)
    expect(back.searchParams.get('error')).toBe('discovered_url_refused')
  })

  it('Reconnect redirects to a connect URL for the same connection', async () => {
    const { visitor, tenant } = await signedIn('popup')
    const stored = await storeConnection({ label: 'ui-reconnect', tenant })
    const { csrf } = await readPage(visitor)
    const response = await submitPageForm(visitor, `/connections/${stored.connectionId}/reconnect`, { csrf })
    expect(response.status).toBe(303)
    const claims = decodeJwt(new URL(response.headers.get('Location') ?? '').searchParams.get('token') ?? '')
    expect(claims).toMatchObject({ sub: tenant, connector: 'test-oauth', connection_id: stored.connectionId, input: { scenario: stored.scenario.id }, mode: 'popup' })
  })

  it('Disconnect, once confirmed, deletes the connection and comes back to the page', async () => {
    const { visitor, tenant } = await signedIn()
    const stored = await storeConnection({ label: 'ui-disconnect', tenant })
    const { csrf } = await readPage(visitor)
    const response = await submitPageForm(visitor, `/connections/${stored.connectionId}/disconnect`, { csrf, confirm: 'disconnect' })
    expect(response.status).toBe(303)
    expect(response.headers.get('Location')).toBe('/connections?notice=disconnected')
    expect(await storedSummary(stored.connectionId)).toBeNull()
  })

  it.each(['reconnect', 'disconnect'])("%s of another tenant's connection finds nothing and changes nothing", async (action) => {
    const { visitor } = await signedIn()
    const foreign = await storeConnection({ label: `ui-foreign-${action}` })
    const { csrf } = await readPage(visitor)
    const response = await submitPageForm(visitor, `/connections/${foreign.connectionId}/${action}`, { csrf, confirm: 'disconnect' })
    expect(response.status).toBe(404)
    expect(await errorCodeOf(response)).toBe('connection_not_found')
    expect((await storedSummary(foreign.connectionId))?.status).toBe('connected')
  })

  it.each([
    ['without a CSRF token', async () => ({ form: { confirm: 'disconnect' }, headers: {} })],
    ['with a wrong CSRF token', async () => ({ form: { csrf: 'A'.repeat(43), confirm: 'disconnect' }, headers: {} })],
    ['with the CSRF token of another session', async () => ({ form: { csrf: (await readPage((await signedIn()).visitor)).csrf, confirm: 'disconnect' }, headers: {} })],
    ['from another site (Sec-Fetch-Site)', async (csrf: string) => ({ form: { csrf, confirm: 'disconnect' }, headers: { 'Sec-Fetch-Site': 'cross-site' } })],
    ['from another origin (Origin)', async (csrf: string) => ({ form: { csrf, confirm: 'disconnect' }, headers: { Origin: 'https://evil.example' } })],
  ])('a confirmed Disconnect post %s is refused and changes nothing', async (_case, make) => {
    const { visitor, tenant } = await signedIn()
    const stored = await storeConnection({ label: 'ui-csrf', tenant })
    const { csrf } = await readPage(visitor)
    const { form, headers } = await make(csrf)
    const response = await submitPageForm(visitor, `/connections/${stored.connectionId}/disconnect`, form, headers)
    expect(response.status).toBe(403)
    expect(await errorCodeOf(response)).toBe('csrf_check_failed')
    expect((await storedSummary(stored.connectionId))?.status).toBe('connected')
  })

  it.each([
    ['a body that is not a form', { 'Content-Type': 'application/json' }, '{"connector":"test-oauth"}', 'invalid_request'],
    ['an oversized form', {}, `connector=test-oauth&pad=${'x'.repeat(9000)}`, 'invalid_request'],
    ['a repeated field', {}, 'connector=test-oauth&connector=github', 'duplicate_parameter'],
  ])('S18 %s gets a 400 with a stable code', async (_case, headers, body, code) => {
    const { visitor } = await signedIn()
    const { csrf } = await readPage(visitor)
    const response = await visitor.request(`${LATCHKEY_ORIGIN}/connections/connect`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
      body: `csrf=${csrf}&${body}`,
    })
    expect(response.status).toBe(400)
    expect(await errorCodeOf(response)).toBe(code)
  })
})
