/**
 * The connect page (Hono), for people to see and manage one tenant's connections:
 *   GET  /connections?token=<page token>          trades the token for the session cookie, 303 to /connections
 *   GET  /connections                             the page (session cookie required)
 *   POST /connections/connect                     form: csrf, connector, input.*: 303 to a one-time connect URL
 *   POST /connections/:connectionId/reconnect     form: csrf: 303 to a connect URL for that connection
 *   POST /connections/:connectionId/disconnect    form: csrf: disconnects, 303 back to the page
 * Nothing here answers without a verified page token (S14, S15); posts also need the CSRF
 * token and must not be cross-site (Sec-Fetch-Site, Origin). Responses are `no-store`,
 * `no-referrer`, with a nonce CSP (the security-headers middleware, with this page's policy).
 * Mount with `app.route('/', connectPageRoutes)` after that middleware.
 */
import { Hono, type Context } from 'hono'
import { LatchkeyApi } from '../api/latchkey-api.ts'
import type { ConnectionSummary } from '../connection/connection-record.ts'
import { isConnectionId } from '../connection-id.ts'
import { ERROR_CODES, LatchkeyError } from '../errors.ts'
import { parseUniqueQuery, rawQuery } from '../flow/query-string.ts'
import { signingKey } from '../flow/signing-keys.ts'
import type { HttpEnv } from '../http/http-env.ts'
import type { PagePolicy } from '../http/security-headers.ts'
import { listConnectors } from '../registry/registry.ts'
import { readSettings, type Settings } from '../settings.ts'
import { connectPage, type PageNotice } from './connect-page-html.ts'
import { connectionInputFromForm, connectorChoices } from './connector-choices.ts'
import { readPageForm } from './page-form.ts'
import { assertSameOriginPost, csrfTokenFor, readSessionToken, sessionCookies } from './page-session.ts'
import { verifyPageToken, type PageMode, type PageSession } from './page-token.ts'

/** Path of the connect page; its forms post below it. */
export const PAGE_PATH = '/connections'

type PageContext = Context<HttpEnv>

/** The connect page's routes. */
export const connectPageRoutes = new Hono<HttpEnv>()

connectPageRoutes.get(PAGE_PATH, async (c) => {
  const now = Date.now()
  const settings = readSettings(c.env)
  const key = await signingKey(settings.connectTokenSecret, 'connect-token')
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
  const page = connectPage({
    nonce: c.get('cspNonce'),
    pagePath: PAGE_PATH,
    mode: session.mode,
    csrfToken: await csrfTokenFor(await signingKey(settings.connectTokenSecret, 'csrf'), token),
    connections,
    connectors: connectorChoices(settings),
    connectorNames,
    notice: noticeFrom(query, connections, connectorNames),
  })
  c.set('pagePolicy', pagePolicy(settings, session.mode))
  return c.html(page)
})

connectPageRoutes.post(`${PAGE_PATH}/connect`, async (c) => {
  const { session, form } = await authorizedPost(c)
  const connectorKey = form['connector'] ?? ''
  const choice = connectorChoices(readSettings(c.env)).find((connector) => connector.key === connectorKey)
  if (choice === undefined) throw new LatchkeyError('connector_not_found', `No configured connector "${connectorKey.slice(0, 64)}" can be connected from this page.`)
  if (choice.fields === null) throw new LatchkeyError('invalid_request', `Connector "${choice.key}" needs connection input that only the application can provide.`)
  const { url } = await new LatchkeyApi(c.env).createConnectUrl({
    tenant: session.tenant,
    connectorKey: choice.key,
    connectionInput: connectionInputFromForm(choice.fields, form),
    returnUrl: pageUrlOf(readSettings(c.env)),
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
  const { url } = await api.createConnectUrl({ tenant: session.tenant, connectorKey, connectionId, returnUrl: pageUrlOf(readSettings(c.env)), mode: session.mode })
  return c.redirect(url, 303)
})

connectPageRoutes.post(`${PAGE_PATH}/:connectionId/disconnect`, async (c) => {
  const { session } = await authorizedPost(c)
  await new LatchkeyApi(c.env).disconnect(session.tenant, checkedConnectionId(c.req.param('connectionId')))
  return c.redirect(`${PAGE_PATH}?notice=disconnected`, 303)
})

/** The session from the cookie; `invalid_page_token` without a valid one. */
async function currentSession(c: PageContext, key: CryptoKey, now: number): Promise<{ token: string; session: PageSession }> {
  const token = readSessionToken(c.req.header('Cookie') ?? null)
  if (token === null) {
    throw new LatchkeyError('invalid_page_token', 'This page needs a page token: open it through your application, which adds one to the link.')
  }
  return { token, session: await verifyPageToken(token, key, now) }
}

/** A post from the page: a valid session, its CSRF token, nothing saying it is cross-site. */
async function authorizedPost(c: PageContext): Promise<{ session: PageSession; form: Record<string, string> }> {
  const settings = readSettings(c.env)
  const { token, session } = await currentSession(c, await signingKey(settings.connectTokenSecret, 'connect-token'), Date.now())
  const form = await readPageForm(c.req.raw)
  await assertSameOriginPost({
    key: await signingKey(settings.connectTokenSecret, 'csrf'),
    sessionToken: token,
    submittedCsrf: form['csrf'],
    origin: c.req.header('Origin') ?? null,
    fetchSite: c.req.header('Sec-Fetch-Site') ?? null,
    pageOrigin: settings.publicOrigin,
  })
  return { session, form }
}

function checkedConnectionId(value: string): string {
  if (!isConnectionId(value)) throw new LatchkeyError('connection_not_found', 'No connection with this id exists for this tenant.')
  return value
}

/** Where flows started here return: the page on PUBLIC_BASE_URL (its origin must be in ALLOWED_RETURN_ORIGINS). */
function pageUrlOf(settings: Settings): string {
  return `${settings.publicOrigin}${PAGE_PATH}`
}

/**
 * What the page may do. Forms may post to the page and follow its redirect to the provider's
 * authorize URL (https, or loopback http in a local demo). Popup mode may be framed by the
 * application's origins (ALLOWED_RETURN_ORIGINS); redirect mode may not be framed at all.
 */
function pagePolicy(settings: Settings, mode: PageMode): PagePolicy {
  const formAction = settings.allowInsecureLoopback ? "'self' https: http://localhost:* http://127.0.0.1:*" : "'self' https:"
  const framers = mode === 'popup' ? [...settings.allowedReturnOrigins].join(' ') : ''
  return { formAction, frameAncestors: framers === '' ? "'none'" : framers }
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
