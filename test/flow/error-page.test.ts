/**
 * The one error page (src/flow/pages.ts, error-response.ts): plain words for the person,
 * chosen by the error code; the code and the developer message folded away under "Details
 * for developers"; a way back (to the connect page when the error came from it, to the
 * application when the flow knows its return URL, else "start again from the application");
 * a `main` landmark and a language; never a stack trace.
 */
import { describe, expect, it } from 'vitest'
import { errorPage, successPage } from '../../src/flow/pages.ts'
import { GENERAL_WORDS } from '../../src/ui/error-words.ts'
import { LATCHKEY_ORIGIN, Browser } from '../support/browser.ts'
import { expectCodeFreeRedirect, flowUpToCallback, resultPageAfter } from '../support/connect-flow.ts'
import { openPage, pageVisitor, readPage, submitPageForm } from '../support/connect-page.ts'
import { newTenant } from '../support/connections.ts'
import { mintConnectToken, mintPageToken } from '../support/connect-token.ts'
import { errorCodeOf } from '../support/error-code.ts'
import { UpstreamScenario } from '../support/upstream.ts'

/** What every error page has: one `main`, a language, the code for developers, no stack frames. */
async function expectErrorPage(response: Response, code: string): Promise<string> {
  expect(await errorCodeOf(response)).toBe(code)
  const html = await response.text()
  expect(html).toContain('<html lang="en">')
  expect(html.match(/<main[ >]/g)).toHaveLength(1)
  expect(html).toMatch(/<details>\s*<summary>Details for developers<\/summary>/)
  expect(html).not.toMatch(/\n\s+at [\w.<>]+ \(/)
  return html
}

function heading(html: string): string | undefined {
  return /<h1>([^<]*)<\/h1>/.exec(html)?.[1]
}

describe('the error page', () => {
  it('a callback with an unknown state says the link has expired, and to start again from the application', async () => {
    const response = await new Browser().get(`${LATCHKEY_ORIGIN}/oauth/callback?state=${'A'.repeat(43)}&code=x`)
    expect(response.status).toBe(400)
    const html = await expectErrorPage(response, 'state_unknown')
    expect(heading(html)).toBe('This connection link has expired or was already used.')
    expect(html).toContain('<p>Close this window and start again from the application.</p>')
    expect(html).not.toContain('<a class="button')
    expect(html).not.toContain('state_unknown</h1>')
  })

  it('a flow the provider denied says so in plain words, on the result page', async () => {
    const scenario = new UpstreamScenario()
    await scenario.configure({ authorizeError: 'access_denied' })
    const browser = new Browser()
    const callback = await browser.get(await flowUpToCallback(browser, scenario))
    expectCodeFreeRedirect(callback)
    const html = await expectErrorPage(await resultPageAfter(browser, callback), 'provider_denied')
    expect(heading(html)).toBe('The connection was cancelled at the provider.')
    expect(html).not.toContain('access_denied</h1>')
  })

  it('a connect link with a return URL that fails at the start links back to the application', async () => {
    const token = await mintConnectToken({ sub: newTenant(), connector: 'test-misconfigured', return_url: 'https://app.example.com/integrations' })
    const response = await new Browser().get(`${LATCHKEY_ORIGIN}/connect/test-misconfigured?token=${token}`)
    const html = await expectErrorPage(response, 'connector_misconfigured')
    expect(html).toContain('<a class="button primary" href="https://app.example.com/integrations">Back to the application</a>')
  })

  it('an error on the connect page links back to it', async () => {
    const visitor = pageVisitor()
    await openPage(visitor, await mintPageToken(newTenant()))
    const { csrf } = await readPage(visitor)
    const response = await submitPageForm(visitor, '/connections/connect', { csrf, connector: 'no-such-connector' })
    expect(response.status).toBe(404)
    const html = await expectErrorPage(response, 'connector_not_found')
    expect(heading(html)).toBe('This service cannot be connected here.')
    expect(html).toContain('<a class="button primary" href="/connections">Back to your connections</a>')
  })

  it('the connect page without a session sends the person to the application, not back to itself', async () => {
    const response = await pageVisitor().get(`${LATCHKEY_ORIGIN}/connections`)
    expect(response.status).toBe(401)
    const html = await expectErrorPage(response, 'invalid_page_token')
    expect(heading(html)).toBe('This page link has expired or is not valid. Open it again from the application.')
    expect(html).not.toContain('href="/connections"')
  })

  it('a path no route serves says the page does not exist', async () => {
    const response = await new Browser().get(`${LATCHKEY_ORIGIN}/no-such-page`)
    expect(response.status).toBe(404)
    const html = await expectErrorPage(response, 'route_not_found')
    expect(heading(html)).toBe('This page does not exist.')
    expect(html).toContain('<p>Latchkey serves no GET /no-such-page.</p>')
  })

  it('keeps the developer message, escaped, next to the code', async () => {
    const html = (await errorPage('n', 'invalid_request', 'The <form> was "odd".')).toString()
    expect(html).toContain('<p>The &lt;form&gt; was &quot;odd&quot;.</p>')
    expect(html).toContain('Error code: <code>invalid_request</code>')
  })

  it.each([
    ['internal_error', null, 'Something went wrong on our side.'],
    ['provider_denied', 'GitHub', 'The connection was cancelled at GitHub.'],
    ['provider_error', null, 'The provider did not complete the connection.'],
    ['an_unknown_code', null, GENERAL_WORDS],
    ['discovery_failed', null, 'We could not find how to sign in to the server at that address. Check the address, or ask whoever runs the server.'],
    ['step_up_required', null, 'This connection needs more permissions. Connect it again to grant them.'],
  ])('words %s for end users', async (code, connectorName, words) => {
    const html = (await errorPage('n', code, 'developer message', { connectorName })).toString()
    expect(heading(html)).toBe(words)
    expect(html).toContain(`Error code: <code>${code}</code>`)
  })

  it("links back to the application at the flow's return URL when the route knows it", async () => {
    const html = (await errorPage('n', 'state_expired', 'm', { wayBack: { to: 'application', href: 'https://app.example.com/integrations?x=1&y=2' } })).toString()
    expect(html).toContain('<a class="button primary" href="https://app.example.com/integrations?x=1&amp;y=2">Back to the application</a>')
    expect(html).not.toContain('Close this window')
  })
})

describe('the done page', () => {
  it('names the connector and who is connected when known', async () => {
    const html = (await successPage('n', 'conn_x', 'connected', { connectorName: 'GitHub', accountLabel: '<alice@example.com>' })).toString()
    expect(html).toContain('<h1>Connected</h1>')
    expect(html).toContain('<p>Your GitHub account <strong>&lt;alice@example.com&gt;</strong> is connected. You can close this window.</p>')
    expect(html).toContain('<p class="meta">Connection <code>conn_x</code></p>')
    expect(html.match(/<main[ >]/g)).toHaveLength(1)
  })

  it('says the account is connected without them', async () => {
    const html = (await successPage('n', 'conn_x', 'connected')).toString()
    expect(html).toContain('<p>Your account is connected. You can close this window.</p>')
  })
})
