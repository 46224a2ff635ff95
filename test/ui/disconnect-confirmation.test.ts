/**
 * Disconnect asks first, without JavaScript (src/ui/routes.ts, disconnect-page-html.ts): the
 * card's Disconnect opens a question naming the connection, whose Disconnect button posts the
 * confirmation with the page's CSRF token and whose Cancel goes back to the page. Only that
 * confirmed, CSRF-checked post disconnects.
 */
import { describe, expect, it } from 'vitest'
import { LATCHKEY_ORIGIN, type Browser } from '../support/browser.ts'
import { openPage, pageVisitor, readPage, submitPageForm } from '../support/connect-page.ts'
import { newTenant, storeConnection, storedSummary } from '../support/connections.ts'
import { mintPageToken } from '../support/connect-token.ts'
import { errorCodeOf } from '../support/error-code.ts'

async function signedIn(): Promise<{ visitor: Browser; tenant: string }> {
  const tenant = newTenant()
  const visitor = pageVisitor()
  expect((await openPage(visitor, await mintPageToken(tenant))).status).toBe(303)
  return { visitor, tenant }
}

/** The question as the card's Disconnect form (a GET) opens it. */
async function question(visitor: Browser, connectionId: string): Promise<{ response: Response; html: string; form: string }> {
  const { response, html } = await readPage(visitor, `/connections/${connectionId}/disconnect`)
  const start = html.indexOf('<form method="post"')
  return { response, html, form: html.slice(start, html.indexOf('</form>', start)) }
}

describe('the Disconnect question', () => {
  it('names the connection, says what is lost, and offers a confirmed post and a way back', async () => {
    const { visitor, tenant } = await signedIn()
    const stored = await storeConnection({ label: 'ui-question', tenant })
    const { html: page } = await readPage(visitor)
    expect(page).toContain(`<form method="get" action="/connections/${stored.connectionId}/disconnect">`)

    const { response, html, form } = await question(visitor, stored.connectionId)
    expect(response.status).toBe(200)
    expect(response.headers.get('X-Frame-Options')).toBe('DENY')
    expect(html).toContain(`<h1>Disconnect Test OAuth (mappings) (${stored.connectionId})?</h1>`)
    expect(html).toContain('Latchkey will lose access to this Test OAuth (mappings) account.')
    expect(form).toContain(`action="/connections/${stored.connectionId}/disconnect"`)
    expect(form).toContain('<input type="hidden" name="confirm" value="disconnect" />')
    expect(form).toMatch(/<input type="hidden" name="csrf" value="[A-Za-z0-9_-]{43}" \/>/)
    expect(form).toContain('<button type="submit" class="danger">Disconnect<span class="visually-hidden">')
    expect(html).toContain('<a class="button secondary" href="/connections">Cancel</a>')
    // Asking changes nothing.
    expect((await storedSummary(stored.connectionId))?.status).toBe('connected')
  })

  it('a Disconnect post without the confirmation only shows the question, and disconnects nothing', async () => {
    const { visitor, tenant } = await signedIn()
    const stored = await storeConnection({ label: 'ui-unconfirmed', tenant })
    const { csrf } = await readPage(visitor)
    const unconfirmed: Record<string, string>[] = [{ csrf }, { csrf, confirm: 'yes' }]
    for (const form of unconfirmed) {
      const response = await submitPageForm(visitor, `/connections/${stored.connectionId}/disconnect`, form)
      expect(response.status).toBe(303)
      expect(response.headers.get('Location')).toBe(`/connections/${stored.connectionId}/disconnect`)
      expect((await storedSummary(stored.connectionId))?.status).toBe('connected')
    }
  })

  it('the confirmation, posted with the CSRF token the question carries, disconnects', async () => {
    const { visitor, tenant } = await signedIn()
    const stored = await storeConnection({ label: 'ui-confirmed', tenant })
    const { form } = await question(visitor, stored.connectionId)
    const csrf = /name="csrf" value="([^"]+)"/.exec(form)?.[1] ?? ''
    const response = await submitPageForm(visitor, `/connections/${stored.connectionId}/disconnect`, { csrf, confirm: 'disconnect' })
    expect(response.status).toBe(303)
    expect(response.headers.get('Location')).toBe('/connections?notice=disconnected')
    expect(await storedSummary(stored.connectionId)).toBeNull()
  })

  it.each([
    ['without a CSRF token', {}, {}],
    ['with a forged CSRF token', { csrf: 'A'.repeat(43) }, {}],
    ['from another site', 'csrf', { 'Sec-Fetch-Site': 'cross-site' }],
  ] as const)('a forged confirmation %s is refused and disconnects nothing', async (_case, csrfField, headers) => {
    const { visitor, tenant } = await signedIn()
    const stored = await storeConnection({ label: 'ui-forged', tenant })
    const { csrf } = await readPage(visitor)
    const form = csrfField === 'csrf' ? { csrf } : csrfField
    const response = await submitPageForm(visitor, `/connections/${stored.connectionId}/disconnect`, { ...form, confirm: 'disconnect' }, headers)
    expect(response.status).toBe(403)
    expect(await errorCodeOf(response)).toBe('csrf_check_failed')
    expect((await storedSummary(stored.connectionId))?.status).toBe('connected')
  })

  it("asks nothing about another tenant's connection: not found", async () => {
    const { visitor } = await signedIn()
    const foreign = await storeConnection({ label: 'ui-question-foreign' })
    const response = await visitor.get(`${LATCHKEY_ORIGIN}/connections/${foreign.connectionId}/disconnect`)
    expect(response.status).toBe(404)
    expect(await errorCodeOf(response)).toBe('connection_not_found')
    expect(await response.text()).not.toContain('name="confirm"')
  })

  it('needs a page session', async () => {
    const stored = await storeConnection({ label: 'ui-question-no-session' })
    const response = await pageVisitor().get(`${LATCHKEY_ORIGIN}/connections/${stored.connectionId}/disconnect`)
    expect(response.status).toBe(401)
    expect(await errorCodeOf(response)).toBe('invalid_page_token')
  })
})
