/**
 * The connect page as the deployment configures it (src/http/brand.ts, src/ui/logo.ts): the
 * application's name and accent colour from APP_NAME and APP_ACCENT_COLOR, invalid values
 * falling back to the defaults, and connector logos under a CSP whose img-src lists exactly
 * the origins of the logos on the page.
 */
import { describe, expect, it } from 'vitest'
import { Browser, LATCHKEY_ORIGIN } from '../support/browser.ts'
import { openPage, pageEnv, readPage } from '../support/connect-page.ts'
import { newTenant } from '../support/connections.ts'
import { mintPageToken } from '../support/connect-token.ts'

/** The page as a fresh visitor sees it under `overrides` of the Worker's variables. */
async function pageWith(overrides: Record<string, string>): Promise<{ response: Response; html: string }> {
  const visitor = new Browser({ env: { ...pageEnv, ...overrides } as unknown as Env })
  expect((await openPage(visitor, await mintPageToken(newTenant()))).status).toBe(303)
  return readPage(visitor)
}

/** The custom properties the brand sets, from the page's style sheet. */
function brandColors(html: string): { accent: string; onAccent: string; accentInk: string } {
  const line = /:root \{ --accent: (#[0-9a-f]{6}); --on-accent: (#[0-9a-f]{6}); --accent-ink: (#[0-9a-f]{6}); \}/.exec(html)
  expect(line).not.toBeNull()
  return { accent: line?.[1] ?? '', onAccent: line?.[2] ?? '', accentInk: line?.[3] ?? '' }
}

describe('the application name and accent colour', () => {
  it('are the defaults when nothing is configured', async () => {
    const { html } = await pageWith({})
    expect(html).toContain('<header class="app-bar"><p class="app-name">Latchkey</p></header>')
    expect(html).toContain('<title>Connections - Latchkey</title>')
    expect(brandColors(html)).toEqual({ accent: '#1a56b8', onAccent: '#ffffff', accentInk: '#1a56b8' })
  })

  it('come from APP_NAME and APP_ACCENT_COLOR, the name escaped', async () => {
    const { html } = await pageWith({ APP_NAME: 'Acme <CRM> & Co', APP_ACCENT_COLOR: '#0B6E4F' })
    expect(html).toContain('<p class="app-name">Acme &lt;CRM&gt; &amp; Co</p>')
    expect(html).toContain('<title>Connections - Acme &lt;CRM&gt; &amp; Co</title>')
    expect(html).not.toContain('<CRM>')
    expect(brandColors(html)).toEqual({ accent: '#0b6e4f', onAccent: '#ffffff', accentInk: '#0b6e4f' })
  })

  it('an accent too light for white text gets black text on it, and the page ink for text in it', async () => {
    expect(brandColors((await pageWith({ APP_ACCENT_COLOR: '#FFD23F' })).html)).toEqual({ accent: '#ffd23f', onAccent: '#000000', accentInk: '#1d1d1f' })
  })

  it.each([
    ['a colour name', { APP_ACCENT_COLOR: 'red' }],
    ['three hex digits', { APP_ACCENT_COLOR: '#f00' }],
    ['CSS after the colour', { APP_ACCENT_COLOR: '#112233; } body { display: none' }],
    ['a name with a bidirectional override', { APP_NAME: 'Acme\u202eMRC' }],
    ['a name of spaces', { APP_NAME: '   ' }],
    ['a name longer than 64 characters', { APP_NAME: 'A'.repeat(65) }],
  ])('an invalid value (%s) falls back to the default and the page still works', async (_case, overrides) => {
    const { response, html } = await pageWith(overrides)
    expect(response.status).toBe(200)
    expect(html).toContain('<p class="app-name">Latchkey</p>')
    expect(brandColors(html).accent).toBe('#1a56b8')
    expect(html).not.toContain('display: none')
  })

  it('are on the error page too', async () => {
    const response = await new Browser({ env: { ...pageEnv, APP_NAME: 'Acme CRM', APP_ACCENT_COLOR: '#0b6e4f' } as unknown as Env }).get(`${LATCHKEY_ORIGIN}/connections`)
    expect(response.status).toBe(401)
    const html = await response.text()
    expect(html).toContain('<p class="app-name">Acme CRM</p>')
    expect(brandColors(html).accent).toBe('#0b6e4f')
  })
})

describe('connector logos', () => {
  it('a page without logos allows no image at all', async () => {
    const { response, html } = await pageWith({})
    expect(response.headers.get('Content-Security-Policy')).not.toContain('img-src')
    expect(html).not.toContain('<img')
  })

  it("shows each configured connector's https logo beside its name, and the CSP allows exactly their origin", async () => {
    // Two compat connectors whose specs carry logos on one origin (test/compat/connectors).
    const { response, html } = await pageWith({
      ATLASSIAN__CLIENT_ID: 'atlassian-client',
      ATLASSIAN__CLIENT_SECRET: 'atlassian-secret',
      XERO__CLIENT_ID: 'xero-client',
      XERO__CLIENT_SECRET: 'xero-secret',
    })
    expect(html).toContain(
      '<h3 class="card-title"><img class="logo" src="https://static.integration.app/connectors/jira/logo.png" alt="" width="24" height="24" /><span>Atlassian Jira</span></h3>',
    )
    expect(html).toContain('<img class="logo" src="https://static.integration.app/connectors/xero/logo.png" alt=""')
    const csp = response.headers.get('Content-Security-Policy') ?? ''
    expect(csp.split('; ').filter((directive) => directive.startsWith('img-src'))).toEqual(['img-src https://static.integration.app'])
    expect(csp).toContain("default-src 'none'")
  })
})
