/**
 * The connect page (Hono), for people to see and manage one tenant's connections:
 *   GET  /connections?token=<page token>          trades the token for the session cookie, 303 to /connections
 *   GET  /connections                             the page (session cookie required)
 *   POST /connections/connect                     form: csrf, connector, input.*: 303 to a one-time connect URL
 *   POST /connections/:connectionId/reconnect     form: csrf: 303 to a connect URL for that connection
 *   POST /connections/:connectionId/disconnect    form: csrf: disconnects, 303 back to the page
 * Nothing here answers without a verified page token (S14, S15); posts also need the CSRF
 * token and must not be cross-site (Sec-Fetch-Site, Origin). Responses are `no-store`,
 * `no-referrer`, with a nonce CSP. Mount with `app.route('/', connectPageRoutes)`.
 */
import { Hono, type Context } from 'hono'
import { LatchkeyApi } from '../api/latchkey-api.ts'
import type { ConnectionSummary } from '../connection/connection-record.ts'
import { ERROR_CODES, LatchkeyError } from '../errors.ts'
import { connectTokenKey } from '../flow/connect-token.ts'
import { isConnectionId } from '../flow/connection-id.ts'
import { parseUniqueQuery, rawQuery } from '../flow/query-string.ts'
import { allowedReturnOriginsOf, redirectUriOf } from '../flow/settings.ts'
import { allowsInsecureLoopback } from '../oauth/oauth-config.ts'
import { randomToken } from '../oauth/pkce.ts'
import { listConnectors } from '../registry/registry.ts'
import { connectPage, type PageNotice } from './connect-page-html.ts'
import { connectionInputFromForm, connectorChoices } from './connector-choices.ts'
import { readPageForm } from './page-form.ts'
import { assertSameOriginPost, csrfTokenFor, readSessionToken, sessionCookies } from './page-session.ts'
import { verifyPageToken, type PageMode, type PageSession } from './page-token.ts'

/** Path of the connect page; its forms post below it. */
export const PAGE_PATH = '/connections'

type PageContext = Context<{ Bindings: Env }>

/** The connect page's routes. */
export const connectPageRoutes = new Hono<{ Bindings: Env }>()

for (const path of [PAGE_PATH, `${PAGE_PATH}/*`]) {
  connectPageRoutes.use(path, async (c, next) => {
    await next()
    c.res.headers.set('Cache-Control', 'no-store')
    c.res.headers.set('Referrer-Policy', 'no-referrer')
  })
}

connectPageRoutes.get(PAGE_PATH, async (c) => {
  const now = Date.now()
  const key = connectTokenKey(c.env.CONNECT_TOKEN_SECRET)
  const query = parseUniqueQuery(rawQuery(c.req.url))
  const presented = query['token']
  if (presented !== undefined) {
    const session = await verifyPageToken(presented, key, now)
    // The token moves into an HttpOnly cookie and out of the address bar and history.
    for (const cookie of sessionCookies(presented, (session.expiresAt - now) / 1000, session.mode)) c.header('Set-Cookie', cookie, { append: true })
    return c.redirect(PAGE_PATH, 303)
  }

  const { token, session } = await currentSession(c, key, now)
  const api = new LatchkeyApi(c.env)
  const connections = await api.listConnections(session.tenant)
  const connectorNames = new Map(listConnectors().map((connector) => [connector.key, connector.name]))
  const nonce = randomToken()
  const page = connectPage({
    nonce,
    pagePath: PAGE_PATH,
    mode: session.mode,
    csrfToken: await csrfTokenFor(key, token),
    connections,
    connectors: connectorChoices(c.env),
    connectorNames,
    notice: noticeFrom(query, connections, connectorNames),
  })
  return c.html(page, 200, pageHeaders(c.env, session.mode, nonce))
})

connectPageRoutes.post(`${PAGE_PATH}/connect`, async (c) => {
  const { session, form } = await authorizedPost(c)
  const connectorKey = form['connector'] ?? ''
  const choice = connectorChoices(c.env).find((connector) => connector.key === connectorKey)
  if (choice === undefined) throw new LatchkeyError('connector_not_found', `No configured connector "${connectorKey.slice(0, 64)}" can be connected from this page.`)
  if (choice.fields === null) throw new LatchkeyError('invalid_request', `Connector "${choice.key}" needs connection input that only the application can provide.`)
  const { url } = await new LatchkeyApi(c.env).createConnectUrl({
    tenant: session.tenant,
    connectorKey: choice.key,
    connectionInput: connectionInputFromForm(choice.fields, form),
    returnUrl: pageUrlOf(c.env),
    mode: session.mode,
  })
  return c.redirect(url, 303)
})

connectPageRoutes.post(`${PAGE_PATH}/:connectionId/reconnect`, async (c) => {
  const { session } = await authorizedPost(c)
  const connectionId = checkedConnectionId(c.req.param('connectionId'))
  const api = new LatchkeyApi(c.env)
  const { connectorKey } = await api.getConnection(session.tenant, connectionId)
  // Without connectionInput the stored input is reused (LatchkeyApi.createConnectUrl).
  const { url } = await api.createConnectUrl({ tenant: session.tenant, connectorKey, connectionId, returnUrl: pageUrlOf(c.env), mode: session.mode })
  return c.redirect(url, 303)
})

connectPageRoutes.post(`${PAGE_PATH}/:connectionId/disconnect`, async (c) => {
  const { session } = await authorizedPost(c)
  await new LatchkeyApi(c.env).disconnect(session.tenant, checkedConnectionId(c.req.param('connectionId')))
  return c.redirect(`${PAGE_PATH}?notice=disconnected`, 303)
})

/** The session from the cookie; `invalid_page_token` without a valid one. */
async function currentSession(c: PageContext, key: Uint8Array, now: number): Promise<{ token: string; session: PageSession }> {
  const token = readSessionToken(c.req.header('Cookie') ?? null)
  if (token === null) {
    throw new LatchkeyError('invalid_page_token', 'This page needs a page token: open it through your application, which adds one to the link.')
  }
  return { token, session: await verifyPageToken(token, key, now) }
}

/** A post from the page: a valid session, its CSRF token, nothing saying it is cross-site. */
async function authorizedPost(c: PageContext): Promise<{ session: PageSession; form: Record<string, string> }> {
  const key = connectTokenKey(c.env.CONNECT_TOKEN_SECRET)
  const { token, session } = await currentSession(c, key, Date.now())
  const form = await readPageForm(c.req.raw)
  await assertSameOriginPost({
    key,
    sessionToken: token,
    submittedCsrf: form['csrf'],
    origin: c.req.header('Origin') ?? null,
    fetchSite: c.req.header('Sec-Fetch-Site') ?? null,
    pageOrigin: new URL(pageUrlOf(c.env)).origin,
  })
  return { session, form }
}

function checkedConnectionId(value: string): string {
  if (!isConnectionId(value)) throw new LatchkeyError('connection_not_found', 'No connection with this id exists for this tenant.')
  return value
}

/** Where flows started here return: the page on PUBLIC_BASE_URL (its origin must be in ALLOWED_RETURN_ORIGINS). */
function pageUrlOf(env: Env): string {
  return `${new URL(redirectUriOf(env)).origin}${PAGE_PATH}`
}

/**
 * Response headers. Forms may post to the page and follow its redirect to the provider's
 * authorize URL (https, or loopback http in a local demo). Popup mode may be framed by the
 * application's origins (ALLOWED_RETURN_ORIGINS); redirect mode may not be framed at all.
 */
function pageHeaders(env: Env, mode: PageMode, nonce: string): Record<string, string> {
  const formTargets = allowsInsecureLoopback(env.ALLOW_INSECURE_LOOPBACK) ? "'self' https: http://localhost:* http://127.0.0.1:*" : "'self' https:"
  const framers = mode === 'popup' ? [...allowedReturnOriginsOf(env)].join(' ') : ''
  const policy = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src 'nonce-${nonce}'`,
    "base-uri 'none'",
    `form-action ${formTargets}`,
    `frame-ancestors ${framers === '' ? "'none'" : framers}`,
  ]
  const headers: Record<string, string> = { 'Content-Security-Policy': policy.join('; '), 'X-Content-Type-Options': 'nosniff' }
  if (mode === 'redirect') headers['X-Frame-Options'] = 'DENY'
  return headers
}

/** What the query says just happened (a flow's return, a disconnect); only known values are shown. */
function noticeFrom(query: Record<string, string>, connections: ConnectionSummary[], names: ReadonlyMap<string, string>): PageNotice | null {
  if (query['notice'] === 'disconnected') return { tone: 'success', text: 'The connection was disconnected.' }
  const error = query['error']
  if (error !== undefined) {
    const code = Object.hasOwn(ERROR_CODES, error) ? error : 'internal_error'
    const provider = query['provider_error']
    const said = provider !== undefined && /^[A-Za-z0-9_.-]{1,64}$/.test(provider) ? ` The provider answered "${provider}".` : ''
    return { tone: 'problem', text: `The connection was not completed (error code ${code}).${said}` }
  }
  const connection = connections.find((candidate) => candidate.connectionId === query['connection_id'])
  if (connection === undefined) return null
  const name = names.get(connection.connectorKey) ?? connection.connectorKey
  if (connection.status === 'connected') return { tone: 'success', text: `${name} is connected.` }
  return { tone: 'problem', text: `${name} was authorized, but its connection check failed: see below.` }
}
