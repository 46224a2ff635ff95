/**
 * The connect page with a client-credentials connector (test-api-key), in workerd: its card has
 * a Connect button and no field; the button leads through a one-time connect URL to the
 * credential form, whose success comes back to the page (S22: the key only ever in the form's
 * POST body). A connector with several ways to connect (the fixture test-options: an API key
 * or OAuth2) has one button per way, each starting its own flow.
 */
import { decodeJwt } from 'jose'
import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { LatchkeyApi } from '../../src/api/latchkey-api.ts'
import { LATCHKEY_ORIGIN } from '../support/browser.ts'
import { openPage, pageVisitor, readPage, submitPageForm } from '../support/connect-page.ts'
import { mintPageToken } from '../support/connect-token.ts'
import { newTenant } from '../support/connections.ts'
import { errorCodeOf } from '../support/error-code.ts'
import { UpstreamScenario } from '../support/upstream.ts'

describe('a client-credentials connector on the connect page', () => {
  it('has a Connect button and no field on its card', async () => {
    const visitor = pageVisitor()
    await openPage(visitor, await mintPageToken(newTenant()))
    const { html } = await readPage(visitor)
    const start = html.indexOf('value="test-api-key"')
    const form = html.slice(start, html.indexOf('</form>', start))
    expect(form).toContain('<button type="submit" class="primary">Connect Test API key</button>')
    expect(form).not.toContain('name="input.')
    expect(form).not.toContain('auth_option')
  })

  it('S22 connects through the credential form and comes back to the page connected; the key is in no URL or page', async () => {
    const tenant = newTenant()
    const visitor = pageVisitor()
    await openPage(visitor, await mintPageToken(tenant))
    const { csrf } = await readPage(visitor)
    const toConnectUrl = await submitPageForm(visitor, '/connections/connect', { csrf, connector: 'test-api-key' })
    expect(toConnectUrl.status).toBe(303)
    const connectUrl = new URL(toConnectUrl.headers.get('Location') ?? '')
    expect(decodeJwt(connectUrl.searchParams.get('token') ?? '')).toMatchObject({ sub: tenant, connector: 'test-api-key', input: {} })

    const toForm = await visitor.get(connectUrl)
    expect(toForm.status).toBe(303)
    const formPage = await (await visitor.get(new URL(toForm.headers.get('Location') ?? '', LATCHKEY_ORIGIN))).text()
    expect(formPage).toContain('name="input.scenario"')
    const flow = /name="flow" value="([^"]+)"/.exec(formPage)?.[1] ?? ''
    const formCsrf = /name="csrf" value="([^"]+)"/.exec(formPage)?.[1] ?? ''

    const scenario = new UpstreamScenario(`page-form-${crypto.randomUUID()}`)
    const key = (await scenario.grant()).access_token
    const done = await submitPageForm(visitor, '/connect/credentials', { flow, csrf: formCsrf, 'input.scenario': scenario.id, 'input.region': 'eu', 'input.apiKey': key })
    expect(done.status).toBe(303)
    const back = new URL(done.headers.get('Location') ?? '')
    expect(`${back.origin}${back.pathname}`).toBe(`${LATCHKEY_ORIGIN}/connections`)
    const { html } = await readPage(visitor, `${back.pathname}${back.search}`)
    expect(html).toContain('role="status">Test API key is connected.</p>')

    const seen = [...visitor.requests.map((request) => request.url), ...visitor.workerAnswers.flatMap((answer) => [answer.location ?? '', answer.body])].join('\n')
    expect(seen).not.toContain(key)
  })

  it('refuses an auth_option for a connector with one way to connect', async () => {
    const visitor = pageVisitor()
    await openPage(visitor, await mintPageToken(newTenant()))
    const { csrf } = await readPage(visitor)
    const response = await submitPageForm(visitor, '/connections/connect', { csrf, connector: 'test-api-key', auth_option: 'api-key' })
    expect(response.status).toBe(400)
    expect(await errorCodeOf(response)).toBe('auth_option_required')
  })

  it('offers one button per auth option of test-options, each posting its option', async () => {
    const visitor = pageVisitor()
    await openPage(visitor, await mintPageToken(newTenant()))
    const { html } = await readPage(visitor)
    const card = html.slice(html.indexOf('<span>Test options</span></h3>'), html.indexOf('</li>\n', html.lastIndexOf('value="test-options"')))
    expect(card).toContain('<ul class="ways" aria-label="Ways to connect Test options">')
    expect(card).toContain('<input type="hidden" name="auth_option" value="api-key" />')
    expect(card).toContain('<button type="submit" class="primary">Connect with API key<span class="visually-hidden"> (Test options)</span></button>')
    expect(card).toContain('<input type="hidden" name="auth_option" value="oauth" />')
    expect(card).toContain('<input type="text" id="field-test-options--oauth-scenario" name="input.scenario" required aria-required="true" />')
    expect(card).toContain('<button type="submit" class="primary">Connect with OAuth<span class="visually-hidden"> (Test options)</span></button>')
  })

  it('S22 connects test-options with its API-key option through the form; the connection records the option', async () => {
    const tenant = newTenant()
    const visitor = pageVisitor()
    await openPage(visitor, await mintPageToken(tenant))
    const { csrf } = await readPage(visitor)
    const toConnectUrl = await submitPageForm(visitor, '/connections/connect', { csrf, connector: 'test-options', auth_option: 'api-key' })
    expect(toConnectUrl.status).toBe(303)
    const connectUrl = new URL(toConnectUrl.headers.get('Location') ?? '')
    expect(decodeJwt(connectUrl.searchParams.get('token') ?? '')).toMatchObject({ connector: 'test-options', auth_option: 'api-key' })
    const toForm = await visitor.get(connectUrl)
    expect(toForm.status).toBe(303)
    const formPage = await (await visitor.get(new URL(toForm.headers.get('Location') ?? '', LATCHKEY_ORIGIN))).text()
    expect(formPage).toContain('<h1>Connect Test options (API key)</h1>')
    const flow = /name="flow" value="([^"]+)"/.exec(formPage)?.[1] ?? ''
    const formCsrf = /name="csrf" value="([^"]+)"/.exec(formPage)?.[1] ?? ''

    const scenario = new UpstreamScenario(`page-options-${crypto.randomUUID()}`)
    const key = (await scenario.grant()).access_token
    const done = await submitPageForm(visitor, '/connect/credentials', { flow, csrf: formCsrf, 'input.scenario': scenario.id, 'input.apiKey': key })
    expect(done.status).toBe(303)
    const connectionId = new URL(done.headers.get('Location') ?? '').searchParams.get('connection_id') ?? ''
    const summary = await new LatchkeyApi(env).getConnection(tenant, connectionId)
    expect(summary).toMatchObject({ connectorKey: 'test-options', status: 'connected', authOption: 'api-key' })

    // Reconnect goes the same way, the stored public input fixed, and asks for the key only.
    const { csrf: pageCsrf } = await readPage(visitor)
    const toReconnect = await submitPageForm(visitor, `/connections/${connectionId}/reconnect`, { csrf: pageCsrf })
    expect(toReconnect.status).toBe(303)
    const reconnectUrl = new URL(toReconnect.headers.get('Location') ?? '')
    expect(decodeJwt(reconnectUrl.searchParams.get('token') ?? '')).toMatchObject({ auth_option: 'api-key', connection_id: connectionId, input: { scenario: scenario.id } })
    const toReconnectForm = await visitor.get(reconnectUrl)
    const reconnectPage = await (await visitor.get(new URL(toReconnectForm.headers.get('Location') ?? '', LATCHKEY_ORIGIN))).text()
    expect(reconnectPage).toContain('<h1>Reconnect Test options (API key)</h1>')
    expect(reconnectPage).not.toContain('name="input.scenario"')
    expect(reconnectPage).toContain('name="input.apiKey"')
    expect(reconnectPage).not.toContain(key)
  })

  it('starts the OAuth option of test-options at the provider, with its input', async () => {
    const visitor = pageVisitor()
    await openPage(visitor, await mintPageToken(newTenant()))
    const { csrf } = await readPage(visitor)
    const response = await submitPageForm(visitor, '/connections/connect', { csrf, connector: 'test-options', auth_option: 'oauth', 'input.scenario': 'page-oauth-option' })
    expect(response.status).toBe(303)
    const connectUrl = new URL(response.headers.get('Location') ?? '')
    expect(decodeJwt(connectUrl.searchParams.get('token') ?? '')).toMatchObject({ auth_option: 'oauth', input: { scenario: 'page-oauth-option' } })
    const authorize = await visitor.get(connectUrl)
    expect(authorize.status).toBe(302)
    expect(authorize.headers.get('Location')).toContain('/s/page-oauth-option/authorize?')
  })

  it('refuses a connector with options without a known auth_option', async () => {
    const visitor = pageVisitor()
    await openPage(visitor, await mintPageToken(newTenant()))
    const { csrf } = await readPage(visitor)
    for (const form of [{}, { auth_option: 'password' }] as Record<string, string>[]) {
      const response = await submitPageForm(visitor, '/connections/connect', { csrf, connector: 'test-options', ...form })
      expect(response.status).toBe(400)
      expect(await errorCodeOf(response)).toBe('auth_option_required')
    }
  })
})
