/**
 * The credential form of client-credentials connectors, through the Worker (src/flow/
 * credential-routes.ts): GET /connect/:connectorKey sends the browser to the form with a flow
 * bound to it (S2); the form asks for the inputSchema's fields with the API key masked; the
 * POST is checked (CSRF, same origin, same browser, unexpired, once) and validated field by
 * field; the connector's test decides before anything is stored; and a typed secret never
 * appears in a page, a URL, a log line or plaintext storage (S22).
 *
 * The fixture connector test-api-key sends the key as a Bearer token to the test upstream,
 * whose API accepts the access tokens a scenario issued: `scenario.grant()` makes a valid key.
 */
import { env } from 'cloudflare:test'
import { afterEach, describe, expect, it } from 'vitest'
import { LatchkeyApi } from '../../src/api/latchkey-api.ts'
import { stateGuardName } from '../../src/flow/authorization-state-guard.ts'
import { captureConsole, leakedSecrets, type ConsoleCapture } from '../e2e/console-capture.ts'
import { Browser, LATCHKEY_ORIGIN } from '../support/browser.ts'
import { connectUrlFor, RETURN_URL } from '../support/connect-flow.ts'
import { mintPageToken, type ConnectTokenClaims } from '../support/connect-token.ts'
import { connectionObject, newTenant, rawStorage, storedCredentials, storedSummary } from '../support/connections.ts'
import { errorCodeOf } from '../support/error-code.ts'
import { UpstreamScenario } from '../support/upstream.ts'

const FORM_PATH = '/connect/credentials'
const FORM_URL = `${LATCHKEY_ORIGIN}${FORM_PATH}`
/** What the page's own form sends besides its fields: same-origin Fetch Metadata, `Origin: null` under no-referrer. */
const SAME_ORIGIN = { 'Sec-Fetch-Site': 'same-origin', Origin: 'null' }

/** An open form in `browser`: its flow id and CSRF token as the page carries them. */
interface OpenForm {
  browser: Browser
  scenario: UpstreamScenario
  tenant: string
  flowId: string
  csrf: string
  response: Response
  html: string
}

/** The application mints a connect URL for test-api-key; the browser opens it and lands on the form. */
async function openForm(claims: ConnectTokenClaims = {}, browser = new Browser()): Promise<OpenForm> {
  const scenario = new UpstreamScenario(`form-${crypto.randomUUID()}`)
  const tenant = newTenant()
  const start = await browser.get(
    await connectUrlFor('test-api-key', { sub: tenant, input: { scenario: scenario.id }, return_url: RETURN_URL, jti: crypto.randomUUID(), ...claims }),
  )
  expect(start.status, await start.clone().text()).toBe(303)
  const location = new URL(start.headers.get('Location') ?? '', LATCHKEY_ORIGIN)
  expect(location.pathname).toBe(FORM_PATH)
  const response = await browser.get(location)
  const html = await response.clone().text()
  return { browser, scenario, tenant, ...formTokens(html), response, html }
}

/** The hidden flow id and CSRF token of a form page. */
function formTokens(html: string): { flowId: string; csrf: string } {
  return { flowId: /name="flow" value="([^"]+)"/.exec(html)?.[1] ?? '', csrf: /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '' }
}

/** Submits the form as the page's own form would. */
function submit(form: { browser: Browser; flowId: string; csrf: string }, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
  return form.browser.post(FORM_URL, { flow: form.flowId, csrf: form.csrf, ...fields }, { ...SAME_ORIGIN, ...headers })
}

/** The pending form record as stored in KV (to read its connection id, or to age it). */
async function pendingRecord(flowId: string): Promise<Record<string, unknown>> {
  const stored = await env.PENDING_AUTHORIZATIONS.get(`credential-form:${flowId}`, 'json')
  if (stored === null) throw new Error('no pending form record')
  return stored as Record<string, unknown>
}

let capture: ConsoleCapture | undefined
afterEach(() => {
  capture?.stop()
  capture = undefined
})

describe('the start', () => {
  it('S2 sends the browser to the form with a flow bound to it by a __Host- cookie; the token stays out of the form URL', async () => {
    const browser = new Browser()
    const url = await connectUrlFor('test-api-key', { sub: newTenant(), input: { scenario: 'start' }, return_url: RETURN_URL })
    const response = await browser.get(url)
    expect(response.status).toBe(303)
    const location = response.headers.get('Location') ?? ''
    expect(location).toMatch(/^\/connect\/credentials\?flow=[A-Za-z0-9_-]{43}$/)
    expect(response.headers.get('Set-Cookie')).toMatch(/^__Host-latchkey-flow-form-[A-Za-z0-9_-]{11}=[A-Za-z0-9_-]{43}; Max-Age=600; Path=\/; Secure; HttpOnly; SameSite=Lax$/)
    expect(response.headers.get('Cache-Control')).toBe('no-store')
  })

  it.each([
    ['by name', { apiKey: 'key-in-a-url-123' }],
    ['not in the schema', { password: 'pw-in-a-url-123' }],
  ])('S22 refuses a connect token whose input carries a secret %s', async (_case, input) => {
    const browser = new Browser()
    const response = await browser.get(await connectUrlFor('test-api-key', { sub: newTenant(), input: { scenario: 'secret', ...input } }))
    expect(response.status).toBe(400)
    expect(await errorCodeOf(response)).toBe('invalid_connection_input')
    expect(response.headers.get('Location')).toBeNull()
    expect(browser.cookies().size).toBe(0)
  })
})

describe('the form', () => {
  it('asks for each field with its label, hint and required mark, the API key masked, the region as a select', async () => {
    const { html, tenant } = await openForm()
    expect(html).toContain('<h1>Connect Test API key</h1>')
    expect(html).toContain(`For the connections of account <code>${tenant}</code>.`)
    expect(html).toContain('<label for="credential-apiKey">API key</label>')
    expect(html).toMatch(
      /<input type="password" id="credential-apiKey" name="input\.apiKey" required aria-required="true" aria-describedby="credential-apiKey-description" autocomplete="off" spellcheck="false" autocapitalize="off" \/>/,
    )
    expect(html).toContain('<span class="hint" id="credential-apiKey-description">Find it under Settings, API keys.</span>')
    expect(html).toContain('<label for="credential-region">Region</label>')
    expect(html).toMatch(
      /<select id="credential-region" name="input\.region" required aria-required="true" aria-describedby="credential-region-description">\s*<option value="">\(choose one\)<\/option>\s*<option>eu<\/option>\s*<option>us<\/option>/,
    )
    expect(html).toContain('<label for="credential-sandbox">Sandbox account</label>')
    expect(html).toContain('<input type="checkbox" id="credential-sandbox" name="input.sandbox"')
    // The scenario was set by the application: shown, not a field.
    expect(html).toMatch(/<dt>Scenario<\/dt><dd>form-[0-9a-f-]{36}<\/dd>/)
    expect(html).not.toContain('name="input.scenario"')
    expect(html).toContain('<button type="submit" class="primary">Connect</button>')
  })

  it('is a no-store, no-referrer page that cannot be framed and posts only to itself and the return URL origin', async () => {
    const { response } = await openForm()
    const csp = response.headers.get('Content-Security-Policy') ?? ''
    expect(csp).toContain("form-action 'self' https://app.example.com")
    expect(csp).toContain("frame-ancestors 'none'")
    expect(csp).toContain("default-src 'none'")
    expect(response.headers.get('X-Frame-Options')).toBe('DENY')
    expect(response.headers.get('Cache-Control')).toBe('no-store')
    expect(response.headers.get('Referrer-Policy')).toBe('no-referrer')
  })

  it('S21 warns when the browser is signed in to the connect page as another tenant', async () => {
    const browser = new Browser()
    expect((await browser.get(`${LATCHKEY_ORIGIN}/connections?token=${await mintPageToken(newTenant())}`)).status).toBe(303)
    const { html } = await openForm({}, browser)
    expect(html).toMatch(/role="alert">\s*You are signed in as account <code>tenant-[^<]+<\/code>, but this form connects an account for account <code>tenant-/)
  })
})

describe('validation', () => {
  it('S22 answers each failing field with its error and never echoes a typed secret', async () => {
    const form = await openForm()
    const typedKey = 'short7!'
    const response = await submit(form, { 'input.apiKey': typedKey, 'input.region': 'mars' })
    expect(response.status).toBe(400)
    const html = await response.text()
    expect(html).toContain('<title>Error: Connect Test API key - Latchkey</title>')
    expect(html).toContain('aria-invalid="true" aria-describedby="credential-apiKey-error credential-apiKey-description"')
    expect(html).toContain('<span class="field-error" id="credential-apiKey-error">API key is too short.</span>')
    expect(html).toContain('aria-invalid="true" aria-describedby="credential-region-error credential-region-description"')
    expect(html).toContain('<span class="field-error" id="credential-region-error">Choose one of the values offered for Region.</span>')
    expect(html).toContain('<a href="#credential-apiKey">API key is too short.</a>')
    expect(html).not.toContain(typedKey)
    expect(html).not.toContain('mars')
    // Nothing was sent to the provider, and the same flow goes on.
    expect(await form.scenario.count('/api/me')).toBe(0)
    expect(formTokens(html)).toEqual({ flowId: form.flowId, csrf: form.csrf })
  })

  it('asks for missing fields and fills the public values in again', async () => {
    const form = await openForm()
    const response = await submit(form, { 'input.region': 'us', 'input.sandbox': 'on' })
    expect(response.status).toBe(400)
    const html = await response.text()
    expect(html).toContain('<span class="field-error" id="credential-apiKey-error">Enter API key.</span>')
    expect(html).toContain('<option selected>us</option>')
    expect(html).toMatch(/name="input\.sandbox" checked/)
    expect(html).not.toContain('aria-invalid="true" aria-describedby="credential-region')
  })

  it('ignores a value posted for a field the application fixed', async () => {
    const form = await openForm()
    const key = (await form.scenario.grant()).access_token
    const response = await submit(form, { 'input.apiKey': key, 'input.region': 'eu', 'input.scenario': 'someone-elses-scenario' })
    expect(response.status).toBe(303)
    const connectionId = new URL(response.headers.get('Location') ?? '').searchParams.get('connection_id') ?? ''
    expect(await connectionObject(connectionId).getConnectionInput(form.tenant)).toEqual({ scenario: form.scenario.id, region: 'eu', sandbox: false })
  })
})

describe('refusals before anything is sent', () => {
  async function expectRefused(response: Response, status: number, code: string, form: OpenForm): Promise<void> {
    expect(response.status).toBe(status)
    expect(await errorCodeOf(response)).toBe(code)
    expect(await form.scenario.count('/api/me')).toBe(0)
  }

  it('S22 refuses a post without the CSRF token or with another flow’s', async () => {
    const form = await openForm()
    const other = await openForm({}, form.browser)
    const key = (await form.scenario.grant()).access_token
    await expectRefused(await submit({ ...form, csrf: '' }, { 'input.apiKey': key, 'input.region': 'eu' }), 403, 'csrf_check_failed', form)
    await expectRefused(await submit({ ...form, csrf: other.csrf }, { 'input.apiKey': key, 'input.region': 'eu' }), 403, 'csrf_check_failed', form)
  })

  it.each([
    ['Sec-Fetch-Site cross-site', { 'Sec-Fetch-Site': 'cross-site' }],
    ['Sec-Fetch-Site same-site', { 'Sec-Fetch-Site': 'same-site' }],
    ['a foreign Origin', { Origin: 'https://attacker.example' }],
  ])('S22 refuses a cross-site post (%s)', async (_case, headers) => {
    const form = await openForm()
    await expectRefused(await submit(form, { 'input.apiKey': 'some-key-value', 'input.region': 'eu' }, headers), 403, 'csrf_check_failed', form)
  })

  it('S2 refuses the form and its post in another browser', async () => {
    const form = await openForm()
    const stranger = new Browser()
    await expectRefused(await stranger.get(`${FORM_URL}?flow=${form.flowId}`), 400, 'state_browser_mismatch', form)
    await expectRefused(await submit({ ...form, browser: stranger }, { 'input.apiKey': 'some-key-value', 'input.region': 'eu' }), 400, 'state_browser_mismatch', form)
  })

  it('S2 refuses an expired form', async () => {
    const form = await openForm()
    await env.PENDING_AUTHORIZATIONS.put(`credential-form:${form.flowId}`, JSON.stringify({ ...(await pendingRecord(form.flowId)), expiresAt: Date.now() - 1 }))
    await expectRefused(await form.browser.get(`${FORM_URL}?flow=${form.flowId}`), 400, 'state_expired', form)
    await expectRefused(await submit(form, { 'input.apiKey': 'some-key-value', 'input.region': 'eu' }), 400, 'state_expired', form)
  })

  it.each([
    ['no flow', '', 'state_missing'],
    ['an unknown flow', `?flow=${'A'.repeat(43)}`, 'state_unknown'],
    ['a malformed flow', '?flow=..%2F..', 'state_unknown'],
    ['a repeated flow', '?flow=a&flow=b', 'duplicate_parameter'],
  ])('refuses %s', async (_case, query, code) => {
    const response = await new Browser().get(`${FORM_URL}${query}`)
    expect(response.status).toBe(400)
    expect(await errorCodeOf(response)).toBe(code)
  })

  it('S18 reads only a form body, each field once', async () => {
    const form = await openForm()
    const json = await form.browser.request(FORM_URL, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...SAME_ORIGIN },
      body: JSON.stringify({ flow: form.flowId }),
    })
    await expectRefused(json, 400, 'invalid_request', form)
    const body = `flow=${form.flowId}&csrf=${form.csrf}&input.apiKey=a-key-value&input.apiKey=another-value`
    const twice = await form.browser.request(FORM_URL, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...SAME_ORIGIN }, body })
    await expectRefused(twice, 400, 'duplicate_parameter', form)
  })
})

describe('connecting', () => {
  it('S22 a refused key shows the form again with the provider’s refusal and stores nothing; the corrected key connects', async () => {
    capture = captureConsole()
    const form = await openForm()
    const wrongKey = 'wrong-key-0123456789'
    const refused = await submit(form, { 'input.apiKey': wrongKey, 'input.region': 'eu' })
    expect(refused.status).toBe(400)
    const html = await refused.text()
    expect(html).toContain('Test API key refused these credentials.')
    expect(html).not.toContain(wrongKey)
    expect(await form.scenario.count('/api/me')).toBe(1)

    // Nothing stored: no connection for the tenant, nothing in the connection's object.
    const next = formTokens(html)
    expect(next.flowId).not.toBe(form.flowId)
    const connectionId = String((await pendingRecord(next.flowId))['connectionId'])
    expect((await new LatchkeyApi(env).listConnections(form.tenant)).connections).toEqual([])
    expect(await storedSummary(connectionId)).toBeNull()
    expect(await rawStorage(connectionId)).toEqual({})

    // S2: the spent flow id is refused; the form goes on under the new one.
    expect(await errorCodeOf(await submit(form, { 'input.apiKey': wrongKey, 'input.region': 'eu' }))).toMatch(/^state_(unknown|reused|browser_mismatch)$/)
    const goodKey = (await form.scenario.grant()).access_token
    const connected = await submit({ browser: form.browser, ...next }, { 'input.apiKey': goodKey, 'input.region': 'eu' })
    expect(connected.status).toBe(303)
    const location = new URL(connected.headers.get('Location') ?? '')
    expect(location.searchParams.get('connection_id')).toBe(connectionId)
    expect(location.searchParams.get('status')).toBe('connected')
    expect(leakedSecrets(capture.text(), [wrongKey, goodKey])).toEqual([])
  })

  it('S22 connects with a valid key: 303 to the return URL, connected, the key sealed; no secret in any page, URL, log or plaintext storage', async () => {
    capture = captureConsole()
    const form = await openForm()
    const key = (await form.scenario.grant()).access_token
    const response = await submit(form, { 'input.apiKey': key, 'input.region': 'us' })
    expect(response.status).toBe(303)
    const location = new URL(response.headers.get('Location') ?? '')
    expect(`${location.origin}${location.pathname}`).toBe(RETURN_URL)
    expect(location.searchParams.get('status')).toBe('connected')
    const connectionId = location.searchParams.get('connection_id') ?? ''
    expect(connectionId).toMatch(/^conn_[a-z2-7]{26}$/)
    // The binding cookie is cleared: the flow is over.
    expect(response.headers.getAll('Set-Cookie')).toContainEqual(expect.stringMatching(/^__Host-latchkey-flow-form-[A-Za-z0-9_-]{11}=; Max-Age=0;/))

    const [summary] = (await new LatchkeyApi(env).listConnections(form.tenant)).connections
    expect(summary).toMatchObject({ connectionId, connectorKey: 'test-api-key', status: 'connected' })
    expect(await connectionObject(connectionId).getConnectionInput(form.tenant)).toEqual({ scenario: form.scenario.id, region: 'us', sandbox: false })
    expect(await storedCredentials(connectionId)).toMatchObject({ apiKey: key })
    // The test ran with the typed key.
    expect((await form.scenario.requestsTo('/api/me')).map((request) => request.headers['authorization'])).toEqual([`Bearer ${key}`])

    const seen = [
      ...form.browser.workerAnswers.flatMap((answer) => [answer.url, answer.location ?? '', answer.body]),
      ...form.browser.requests.map((request) => request.url),
      JSON.stringify(await rawStorage(connectionId)),
      capture.text(),
    ].join('\n')
    expect(leakedSecrets(seen, [key])).toEqual([])

    // S2: the flow was used once.
    const replay = await submit(form, { 'input.apiKey': key, 'input.region': 'us' })
    expect(await errorCodeOf(replay)).toMatch(/^state_(unknown|reused|browser_mismatch)$/)
    expect(await form.scenario.count('/api/me')).toBe(1)
  })

  it('S22 reconnect replaces the key without showing the old one', async () => {
    const first = await openForm()
    const oldKey = (await first.scenario.grant()).access_token
    const created = await submit(first, { 'input.apiKey': oldKey, 'input.region': 'eu' })
    const connectionId = new URL(created.headers.get('Location') ?? '').searchParams.get('connection_id') ?? ''

    const browser = new Browser()
    const start = await browser.get(
      await connectUrlFor('test-api-key', { sub: first.tenant, connection_id: connectionId, input: { scenario: first.scenario.id, region: 'eu' }, return_url: RETURN_URL }),
    )
    expect(start.status).toBe(303)
    const page = await browser.get(new URL(start.headers.get('Location') ?? '', LATCHKEY_ORIGIN))
    const html = await page.text()
    expect(html).toContain('<h1>Reconnect Test API key</h1>')
    expect(html).not.toContain(oldKey)
    const newKey = (await first.scenario.grant()).access_token
    const response = await submit({ browser, ...formTokens(html) }, { 'input.apiKey': newKey })
    expect(response.status).toBe(303)
    const location = new URL(response.headers.get('Location') ?? '')
    expect(location.searchParams.get('connection_id')).toBe(connectionId)
    expect(location.searchParams.get('status')).toBe('connected')
    expect(await storedCredentials(connectionId)).toMatchObject({ apiKey: newKey })
    expect(browser.workerAnswers.map((answer) => answer.body).join('\n')).not.toContain(newKey)
  })

  it('popup mode ends on the result page that posts to the opener', async () => {
    const form = await openForm({ mode: 'popup' })
    const key = (await form.scenario.grant()).access_token
    const response = await submit(form, { 'input.apiKey': key, 'input.region': 'eu' })
    expect(response.status).toBe(303)
    const location = new URL(response.headers.get('Location') ?? '', LATCHKEY_ORIGIN)
    expect(location.origin).toBe(LATCHKEY_ORIGIN)
    const result = await (await form.browser.get(location)).text()
    expect(result).toContain('data-target-origin="https://app.example.com"')
    expect(result).toContain('&quot;status&quot;:&quot;connected&quot;')
    expect(result).not.toContain(key)
  })
})

/** Opens `url` (a connect URL for test-api-key) in `browser` and lands on the form. */
async function openFormFrom(url: string, browser: Browser): Promise<{ browser: Browser; flowId: string; csrf: string }> {
  const start = await browser.get(url)
  expect(start.status, await start.clone().text()).toBe(303)
  const page = await browser.get(new URL(start.headers.get('Location') ?? '', LATCHKEY_ORIGIN))
  expect(page.status).toBe(200)
  return { browser, ...formTokens(await page.text()) }
}

/** A one-time connect URL for test-api-key on a fresh scenario. */
async function oneTimeFormUrl(): Promise<{ url: string; scenario: UpstreamScenario }> {
  const scenario = new UpstreamScenario(`form-${crypto.randomUUID()}`)
  const url = await connectUrlFor('test-api-key', { sub: newTenant(), input: { scenario: scenario.id }, return_url: RETURN_URL, jti: crypto.randomUUID() })
  return { url, scenario }
}

async function expectConnected(response: Response): Promise<void> {
  expect(response.status, await response.clone().text()).toBe(303)
  expect(new URL(response.headers.get('Location') ?? '').searchParams.get('status')).toBe('connected')
}

describe('S15 one-time connect URLs with the form: claimed by the accepted post', () => {
  it('S15 two browsers open the form from one URL and submit both: one connection, the second refused before its key is tested', async () => {
    const { url, scenario } = await oneTimeFormUrl()
    const first = await openFormFrom(url, new Browser())
    const second = await openFormFrom(url, new Browser())
    const key = (await scenario.grant()).access_token
    await expectConnected(await submit(first, { 'input.apiKey': key, 'input.region': 'eu' }))
    const refused = await submit(second, { 'input.apiKey': key, 'input.region': 'eu' })
    expect(refused.status).toBe(401)
    expect(await errorCodeOf(refused)).toBe('invalid_connect_token')
    expect(await scenario.count('/api/me')).toBe(1)
  })

  it('S15 a refused key keeps the URL with its form: the corrected key connects, a twin form from the URL is refused', async () => {
    const { url, scenario } = await oneTimeFormUrl()
    const first = await openFormFrom(url, new Browser())
    const twin = await openFormFrom(url, new Browser())
    const refused = await submit(first, { 'input.apiKey': 'wrong-key-0123456789', 'input.region': 'eu' })
    expect(refused.status).toBe(400)
    const next = formTokens(await refused.text())

    const key = (await scenario.grant()).access_token
    expect(await errorCodeOf(await submit(twin, { 'input.apiKey': key, 'input.region': 'eu' }))).toBe('invalid_connect_token')
    await expectConnected(await submit({ browser: first.browser, ...next }, { 'input.apiKey': key, 'input.region': 'eu' }))
    expect(await scenario.count('/api/me')).toBe(2)
  })
})

describe('S2 a form whose pending record KV misses', () => {
  it('S2 shows and connects from the guard copy when the KV entry is gone', async () => {
    const { url, scenario } = await oneTimeFormUrl()
    // A browser that waits for the Worker's background work: the copy is written when it goes on.
    const form = await openFormFrom(url, new Browser({ env }))
    await env.PENDING_AUTHORIZATIONS.delete(`credential-form:${form.flowId}`)
    const page = await form.browser.get(`${FORM_URL}?flow=${form.flowId}`)
    expect(page.status).toBe(200)
    const key = (await scenario.grant()).access_token
    await expectConnected(await submit(form, { 'input.apiKey': key, 'input.region': 'eu' }))
    // The flow's record and its copy are forgotten once it ended.
    expect(await errorCodeOf(await form.browser.get(`${FORM_URL}?flow=${form.flowId}`))).toBe('state_unknown')
  })

  it('S2 a form in neither KV nor the guard is state_unknown, and nothing is sent', async () => {
    const { url, scenario } = await oneTimeFormUrl()
    const form = await openFormFrom(url, new Browser({ env }))
    const key = `credential-form:${form.flowId}`
    await env.PENDING_AUTHORIZATIONS.delete(key)
    await env.AUTHORIZATION_STATE_GUARDS.get(env.AUTHORIZATION_STATE_GUARDS.idFromName(stateGuardName('pending-record', key))).forgetRecord(key)
    const refused = await submit(form, { 'input.apiKey': (await scenario.grant()).access_token, 'input.region': 'eu' })
    expect(await errorCodeOf(refused)).toBe('state_unknown')
    expect(await scenario.count('/api/me')).toBe(0)
  })
})
