/**
 * Connectors whose parameters are missing or invalid (src/registry/connector-health.ts) are
 * never offered; a local demo's page (PUBLIC_BASE_URL and the request on loopback,
 * src/ui/development-mode.ts) lists them with the variables to set, and a deployment's page
 * says nothing of them to its end users.
 */
import { describe, expect, it } from 'vitest'
import { Browser, LATCHKEY_ORIGIN } from '../support/browser.ts'
import { pageEnv } from '../support/connect-page.ts'
import { newTenant } from '../support/connections.ts'
import { mintPageToken } from '../support/connect-token.ts'

const DEMO_ORIGIN = 'http://localhost:8787'

/** The fixture test-misconfigured's card: its required clientId has no variable. */
const MISCONFIGURED_CARD =
  /<li class="card card-unavailable">\s*<h3 class="card-title"><span>Test misconfigured<\/span><\/h3>\s*<p class="detail"><strong class="unavailable">Unavailable<\/strong>: set <code>TEST_MISCONFIGURED__CLIENT_ID<\/code><\/p>/

describe('connectors that are not set up', () => {
  it('a local demo lists them with the variables to set, and still offers only the ready ones', async () => {
    const demo = { ...pageEnv, PUBLIC_BASE_URL: DEMO_ORIGIN, ALLOWED_RETURN_ORIGINS: DEMO_ORIGIN, ALLOW_INSECURE_LOOPBACK: 'true' } as unknown as Env
    const token = await mintPageToken(newTenant())
    const visitor = new Browser({ env: demo })
    expect((await visitor.get(`${DEMO_ORIGIN}/connections?token=${token}`)).status).toBe(303)
    // The session cookie is Secure: a real browser sends it to http://localhost (a secure context), this one is told to.
    const response = await visitor.request(`${DEMO_ORIGIN}/connections`, { cookieHeader: `__Host-latchkey-page=${token}` })
    expect(response.status).toBe(200)
    const html = await response.text()
    expect(html).toContain('<h2 id="unavailable-heading">Not set up on this server</h2>')
    expect(html).toMatch(MISCONFIGURED_CARD)
    expect(html).not.toContain('value="test-misconfigured"')
    expect(html).toContain('value="test-oauth"')
  })

  it.each([
    ['a deployment', pageEnv, LATCHKEY_ORIGIN],
    ['a deployment whose PUBLIC_BASE_URL says localhost, reached on a public host', { ...pageEnv, PUBLIC_BASE_URL: DEMO_ORIGIN }, LATCHKEY_ORIGIN],
  ])('%s shows end users nothing of them', async (_case, env, origin) => {
    const visitor = new Browser({ env: env as unknown as Env })
    const token = await mintPageToken(newTenant())
    await visitor.get(`${origin}/connections?token=${token}`)
    const response = await visitor.request(`${origin}/connections`, { cookieHeader: `__Host-latchkey-page=${token}` })
    expect(response.status).toBe(200)
    const html = await response.text()
    expect(html).not.toContain('Not set up on this server')
    expect(html).not.toContain('TEST_MISCONFIGURED__CLIENT_ID')
    expect(html).not.toContain('Test misconfigured')
  })
})
