/**
 * S21 on the connect page (src/ui/routes.ts): the page says whose connections these are, and
 * a page token for another tenant (a link someone else made: login CSRF) never replaces the
 * browser's session without the person's CSRF-protected confirmation.
 */
import { decodeJwt } from 'jose'
import { describe, expect, it } from 'vitest'
import { LATCHKEY_ORIGIN, type Browser } from '../support/browser.ts'
import { openPage, pageVisitor, readPage, submitPageForm } from '../support/connect-page.ts'
import { newTenant, storeConnection } from '../support/connections.ts'
import { mintPageToken } from '../support/connect-token.ts'
import { errorCodeOf } from '../support/error-code.ts'
import { mintNamedPageToken } from '../support/login-csrf.ts'

/** A victim signed in to the page as a fresh tenant with one connection, and an attacker's token for another tenant. */
async function victimAndAttackerLink(): Promise<{ visitor: Browser; victim: string; victimConnection: string; attacker: string; attackerToken: string }> {
  const victim = newTenant()
  const visitor = pageVisitor()
  expect((await openPage(visitor, await mintNamedPageToken(victim, 'Alice <alice@example.com>'))).status).toBe(303)
  const { connectionId } = await storeConnection({ label: 'ui-s21-victim', tenant: victim })
  const attacker = newTenant()
  return { visitor, victim, victimConnection: connectionId, attacker, attackerToken: await mintNamedPageToken(attacker, 'Mallory') }
}

/** Opens the attacker's link the way a cross-site navigation does. */
function openCrossSite(visitor: Browser, token: string): Promise<Response> {
  return visitor.get(`${LATCHKEY_ORIGIN}/connections?token=${token}`, { 'Sec-Fetch-Site': 'cross-site' })
}

describe('S21 whose connections these are', () => {
  it('S21 the connect page says whose connections these are, escaped', async () => {
    const visitor = pageVisitor()
    await openPage(visitor, await mintNamedPageToken(newTenant(), 'Alice <alice@example.com>'))
    const { html } = await readPage(visitor)
    expect(html).toContain('<h1>Connections of Alice &lt;alice@example.com&gt;</h1>')
    expect(html).not.toContain('<alice@example.com>')
  })

  it('S21 without a display name the connect page names the tenant id', async () => {
    const tenant = newTenant()
    const visitor = pageVisitor()
    await openPage(visitor, await mintPageToken(tenant))
    const { html } = await readPage(visitor)
    expect(html).toContain(`<p class="owner">For account <code>${tenant}</code>.</p>`)
  })

  it.each([
    ['not a string', 42],
    ['empty', '  '],
    ['too long', 'A'.repeat(129)],
    ['with a bidirectional override', 'Alice\u202Eecila'],
    ['with a line break', 'Alice\nAdmin'],
  ])('S21 a page token whose name is %s opens no session', async (_case, name) => {
    const response = await openPage(pageVisitor(), await mintNamedPageToken(newTenant(), name))
    expect(response.status).toBe(401)
    expect(await errorCodeOf(response)).toBe('invalid_page_token')
    expect(response.headers.get('Set-Cookie')).toBeNull()
  })

  it('S21 Connect and Reconnect from the page carry the display name into the connect URL', async () => {
    const tenant = newTenant()
    const visitor = pageVisitor()
    await openPage(visitor, await mintNamedPageToken(tenant, 'Alice'))
    const stored = await storeConnection({ label: 'ui-s21-name', tenant })
    const { csrf } = await readPage(visitor)
    const connect = await submitPageForm(visitor, '/connections/connect', { csrf, connector: 'test-oauth', 'input.scenario': 'ui-s21' })
    const reconnect = await submitPageForm(visitor, `/connections/${stored.connectionId}/reconnect`, { csrf })
    for (const response of [connect, reconnect]) {
      const location = new URL(response.headers.get('Location') ?? '')
      expect(decodeJwt(location.searchParams.get('token') ?? '')).toMatchObject({ sub: tenant, name: 'Alice' })
      // The page's own session is this tenant's: its flows go straight to the provider.
      expect((await visitor.get(location)).status).toBe(302)
    }
  })
})

describe('S21 no silent session replacement', () => {
  it("S21 a cross-site GET with another tenant's page token does not replace the session", async () => {
    const { visitor, victimConnection, attacker } = await victimAndAttackerLink()
    const attackerConnection = await storeConnection({ label: 'ui-s21-attacker', tenant: attacker })
    const response = await openCrossSite(visitor, await mintPageToken(attacker))
    expect(response.status).toBe(303)
    expect(response.headers.get('Location')).toBe('/connections/switch')
    expect(response.headers.getAll('Set-Cookie').filter((cookie) => cookie.startsWith('__Host-latchkey-page='))).toEqual([])

    const { html } = await readPage(visitor)
    expect(html).toContain('<h1>Connections of Alice &lt;alice@example.com&gt;</h1>')
    expect(html).toContain(victimConnection)
    expect(html).not.toContain(attackerConnection.connectionId)
  })

  it('S21 the switch question names both tenants and switches only when the person confirms', async () => {
    const { visitor, attacker, attackerToken } = await victimAndAttackerLink()
    await openCrossSite(visitor, attackerToken)
    const { response, html, csrf } = await readPage(visitor, '/connections/switch')
    expect(response.status).toBe(200)
    expect(html).toContain('<h1>Switch to <strong>Mallory</strong>?</h1>')
    expect(html).toContain('You are signed in as <strong>Alice &lt;alice@example.com&gt;</strong>.')
    expect(html).not.toContain(attackerToken)
    expect(response.headers.get('X-Frame-Options')).toBe('DENY')

    const confirmed = await submitPageForm(visitor, '/connections/switch', { csrf, decision: 'switch' })
    expect(confirmed.status).toBe(303)
    expect(confirmed.headers.get('Location')).toBe('/connections')
    const after = await readPage(visitor)
    expect(after.html).toContain('<h1>Connections of Mallory</h1>')
    expect(visitor.cookies().has('__Host-latchkey-page-next')).toBe(false)
    expect(decodeJwt(visitor.cookies().get('__Host-latchkey-page') ?? '').sub).toBe(attacker)
  })

  it("S21 staying signed in forgets the other tenant's token", async () => {
    const { visitor, victim, attackerToken } = await victimAndAttackerLink()
    await openCrossSite(visitor, attackerToken)
    const { csrf } = await readPage(visitor, '/connections/switch')
    const kept = await submitPageForm(visitor, '/connections/switch', { csrf, decision: 'keep' })
    expect(kept.status).toBe(303)
    expect(visitor.cookies().has('__Host-latchkey-page-next')).toBe(false)
    expect(decodeJwt(visitor.cookies().get('__Host-latchkey-page') ?? '').sub).toBe(victim)
    // Nothing left to switch to.
    expect((await visitor.get(`${LATCHKEY_ORIGIN}/connections/switch`)).headers.get('Location')).toBe('/connections')
  })

  it.each([
    ['without the CSRF token', false, {}],
    ['from another site', true, { 'Sec-Fetch-Site': 'cross-site' }],
    ['from another origin', true, { Origin: 'https://evil.example' }],
  ])('S21 a switch confirmation posted %s is refused and keeps the session', async (_case, withCsrf, headers) => {
    const { visitor, victim, attackerToken } = await victimAndAttackerLink()
    await openCrossSite(visitor, attackerToken)
    const { csrf } = await readPage(visitor, '/connections/switch')
    const submitted: Record<string, string> = withCsrf ? { csrf, decision: 'switch' } : { decision: 'switch' }
    const response = await submitPageForm(visitor, '/connections/switch', submitted, headers)
    expect(response.status).toBe(403)
    expect(await errorCodeOf(response)).toBe('csrf_check_failed')
    expect(decodeJwt(visitor.cookies().get('__Host-latchkey-page') ?? '').sub).toBe(victim)
  })
})

describe('what stays as it was', () => {
  it('a page token for the same tenant replaces the session as before', async () => {
    const tenant = newTenant()
    const visitor = pageVisitor()
    await openPage(visitor, await mintNamedPageToken(tenant, 'Alice'))
    const renewed = await mintNamedPageToken(tenant, 'Alice Smith')
    const response = await openPage(visitor, renewed)
    expect(response.headers.get('Location')).toBe('/connections')
    expect(visitor.cookies().get('__Host-latchkey-page')).toBe(renewed)
  })

  it('an expired session is no session to protect: a new token opens the page', async () => {
    const visitor = pageVisitor()
    visitor.setCookie('__Host-latchkey-page', 'not-a-valid-token')
    const token = await mintPageToken(newTenant())
    expect((await openPage(visitor, token)).headers.get('Location')).toBe('/connections')
    expect(visitor.cookies().get('__Host-latchkey-page')).toBe(token)
  })
})
