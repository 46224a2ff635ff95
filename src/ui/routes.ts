/**
 * The connect page (Hono), for people to see and manage one tenant's connections:
 *   GET  /connections?token=<page token>          trades the token for the session cookie, 303 to /connections;
 *                                                 with a session of another tenant, keeps the token aside
 *                                                 and 303 to /connections/switch instead (S21)
 *   GET  /connections                             the page (session cookie required)
 *   GET  /connections/switch                      asks whether to switch to the other tenant (S21)
 *   POST /connections/switch                      form: csrf, decision=switch|keep: 303 to the page
 *   POST /connections/connect                     form: csrf, connector, auth_option (connectors with options),
 *                                                 input.*: 303 to a one-time connect URL
 *   POST /connections/:connectionId/reconnect     form: csrf: 303 to a connect URL for that connection
 *   GET  /connections/:connectionId/disconnect    asks first: "Disconnect GitHub (alice@...)?", Disconnect or Cancel
 *   POST /connections/:connectionId/disconnect    form: csrf, confirm=disconnect: disconnects, 303 back to the page;
 *                                                 without the confirmation: 303 to the question, nothing changes
 * Nothing here answers without a verified page token (S14, S15); posts also need the CSRF
 * token and must not be cross-site (Sec-Fetch-Site, Origin). Responses are `no-store`,
 * `no-referrer`, with a nonce CSP (the security-headers middleware, with this page's policy:
 * images only from the origins of the connector logos it shows). On a local demo
 * (development-mode.ts) the page also lists the connectors that are not set up.
 * Mount with `app.route('/', connectPageRoutes)` after that middleware.
 */
import { Hono, type Context } from 'hono'
import { LatchkeyApi } from '../api/latchkey-api.ts'
import type { ConnectionSummary } from '../connection/connection-record.ts'
import { notFoundAsNull } from '../connection/connection-stub.ts'
import { isConnectionId } from '../connection-id.ts'
import { ERROR_CODES, LatchkeyError } from '../errors.ts'
import { parseUniqueQuery, rawQuery } from '../flow/query-string.ts'
import { signingKey } from '../flow/signing-keys.ts'
import type { HttpEnv } from '../http/http-env.ts'
import type { PagePolicy } from '../http/security-headers.ts'
import { findConnector, listConnectors } from '../registry/registry.ts'
import { readSettings, type Settings } from '../settings.ts'
import { accountLabelOf } from './account-label.ts'
import { connectPage, pageLogos, type ConnectPageView, type PageNotice } from './connect-page-html.ts'
import { chosenWay, connectorChoices, unavailableConnectors } from './connector-choices.ts'
import { connectorShown, connectorsShown, type ConnectorShown } from './connector-shown.ts'
import { isDevelopmentRequest } from './development-mode.ts'
import { DISCONNECT_CONFIRMATION_FIELD, DISCONNECT_CONFIRMED, disconnectPage } from './disconnect-page-html.ts'
import { inputFromForm } from './input-fields.ts'
import { logoOrigins } from './logo.ts'
import { PAGE_PATH } from './page-path.ts'
import { readPageForm } from './page-form.ts'
import {
  assertSameOriginPost,
  clearPendingSwitchCookies,
  csrfTokenFor,
  existingSession,
  pendingSwitch,
  pendingSwitchCookies,
  readSessionToken,
  sessionCookies,
} from './page-session.ts'
import { verifyPageToken, type PageMode, type PageSession } from './page-token.ts'
import { switchPage } from './switch-page-html.ts'

/** Path of the question asked before a page token of another tenant replaces the session (S21). */
export const SWITCH_PATH = `${PAGE_PATH}/switch`
/** Connections the page shows at most (the first page of `listConnections`). */
export const PAGE_CONNECTIONS = 100

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
    const current = await existingSession(c.req.header('Cookie') ?? null, key, now)
    // The token moves into an HttpOnly cookie and out of the address bar and history. S21: a
    // link that opens another tenant (perhaps sent by someone else) never replaces the
    // session silently; it waits aside until the person answers the switch question.
    const switching = current !== null && current.session.tenant !== session.tenant
    const cookies = switching ? pendingSwitchCookies : sessionCookies
    for (const cookie of cookies(presented, (session.expiresAt - now) / 1000, session.mode)) c.header('Set-Cookie', cookie, { append: true })
    return c.redirect(switching ? SWITCH_PATH : PAGE_PATH, 303)
  }

  const { token, session } = await currentSession(c, key, now)
  const api = new LatchkeyApi(c.env)
  // The first page: a tenant with more connections sees that there are more (the application lists them all).
  const { connections, nextCursor } = await api.listConnections(session.tenant, { limit: PAGE_CONNECTIONS })
  const shown = connectorsShown(listConnectors(), settings)
  const view: ConnectPageView = {
    nonce: c.get('cspNonce'),
    pagePath: PAGE_PATH,
    mode: session.mode,
    csrfToken: await csrfTokenFor(await signingKey(settings.connectTokenSecret, 'csrf'), token),
    owner: { tenant: session.tenant, displayName: session.displayName },
    connections,
    moreConnections: nextCursor !== null,
    connectors: connectorChoices(settings),
    connectorsShown: shown,
    // Which variables a deployment lacks is for its operators (logs, listConnectors), not its end users.
    unavailable: isDevelopmentRequest(settings, c.req.url) ? unavailableConnectors(settings) : [],
    notice: noticeFrom(query, await returnedConnection(api, session.tenant, query, connections), shown),
    brand: settings.brand,
  }
  c.set('pagePolicy', pagePolicy(settings, session.mode, logoOrigins(pageLogos(view))))
  return c.html(connectPage(view))
})

connectPageRoutes.get(SWITCH_PATH, async (c) => {
  const now = Date.now()
  const settings = readSettings(c.env)
  const key = await signingKey(settings.connectTokenSecret, 'connect-token')
  const { token, session } = await currentSession(c, key, now)
  const next = await pendingSwitch(c.req.header('Cookie') ?? null, key, now)
  // Nothing (left) to switch to: the page as it is.
  if (next === null || next.session.tenant === session.tenant) return c.redirect(PAGE_PATH, 303)
  c.set('pagePolicy', pagePolicy(settings, session.mode, []))
  return c.html(
    switchPage({
      nonce: c.get('cspNonce'),
      actionPath: SWITCH_PATH,
      csrfToken: await csrfTokenFor(await signingKey(settings.connectTokenSecret, 'csrf'), token),
      current: { tenant: session.tenant, displayName: session.displayName },
      next: { tenant: next.session.tenant, displayName: next.session.displayName },
      brand: settings.brand,
    }),
  )
})

connectPageRoutes.post(SWITCH_PATH, async (c) => {
  const { form } = await authorizedPost(c)
  const decision = form['decision']
  if (decision !== 'switch' && decision !== 'keep') throw new LatchkeyError('invalid_request', 'Answer the switch question with decision "switch" or "keep".')
  for (const cookie of clearPendingSwitchCookies()) c.header('Set-Cookie', cookie, { append: true })
  if (decision === 'switch') {
    const now = Date.now()
    const next = await pendingSwitch(c.req.header('Cookie') ?? null, await signingKey(readSettings(c.env).connectTokenSecret, 'connect-token'), now)
    if (next === null) throw new LatchkeyError('invalid_page_token', 'The link to switch to has expired. Open it again through your application.')
    for (const cookie of sessionCookies(next.token, (next.session.expiresAt - now) / 1000, next.session.mode)) c.header('Set-Cookie', cookie, { append: true })
  }
  return c.redirect(PAGE_PATH, 303)
})

connectPageRoutes.post(`${PAGE_PATH}/connect`, async (c) => {
  const { session, form } = await authorizedPost(c)
  const connectorKey = form['connector'] ?? ''
  const choice = connectorChoices(readSettings(c.env)).find((connector) => connector.key === connectorKey)
  if (choice === undefined) throw new LatchkeyError('connector_not_found', `No configured connector "${connectorKey.slice(0, 64)}" can be connected from this page.`)
  const way = chosenWay(choice, form['auth_option'])
  if (way === undefined) {
    const keys = choice.ways.flatMap((candidate) => (candidate.authOption === null ? [] : [candidate.authOption]))
    throw new LatchkeyError(
      'auth_option_required',
      keys.length === 0
        ? `Connector "${choice.key}" has one way to connect: send no auth_option.`
        : `Choose how to connect ${choice.name}: auth_option is one of ${keys.join(', ')}.`,
    )
  }
  if (way.fields === null) throw new LatchkeyError('invalid_request', `Connector "${choice.key}" needs connection input that only the application can provide.`)
  const { url } = await new LatchkeyApi(c.env).createConnectUrl({
    tenant: session.tenant,
    connectorKey: choice.key,
    // client-credentials: no fields here; the flow's form asks for everything (S22).
    connectionInput: inputFromForm(way.fields, form),
    returnUrl: pageUrlOf(readSettings(c.env)),
    mode: session.mode,
    ...(way.authOption === null ? {} : { authOption: way.authOption }),
    ...displayNameOf(session),
  })
  return c.redirect(url, 303)
})

connectPageRoutes.post(`${PAGE_PATH}/:connectionId/reconnect`, async (c) => {
  const { session } = await authorizedPost(c)
  const connectionId = checkedConnectionId(c.req.param('connectionId'))
  const api = new LatchkeyApi(c.env)
  const { connectorKey, authOption } = await api.getConnection(session.tenant, connectionId)
  // Without connectionInput the stored input is reused (LatchkeyApi.createConnectUrl); the
  // connection reconnects the way it was connected (its auth option).
  const { url } = await api.createConnectUrl({
    tenant: session.tenant,
    connectorKey,
    connectionId,
    ...(authOption === null ? {} : { authOption }),
    returnUrl: pageUrlOf(readSettings(c.env)),
    mode: session.mode,
    ...displayNameOf(session),
  })
  return c.redirect(url, 303)
})

connectPageRoutes.get(`${PAGE_PATH}/:connectionId/disconnect`, async (c) => {
  const now = Date.now()
  const settings = readSettings(c.env)
  const { token, session } = await currentSession(c, await signingKey(settings.connectTokenSecret, 'connect-token'), now)
  // Another tenant's connection is not found, exactly as when disconnecting it.
  const connection = await new LatchkeyApi(c.env).getConnection(session.tenant, checkedConnectionId(c.req.param('connectionId')))
  c.set('pagePolicy', pagePolicy(settings, session.mode, []))
  return c.html(
    disconnectPage({
      nonce: c.get('cspNonce'),
      pagePath: PAGE_PATH,
      csrfToken: await csrfTokenFor(await signingKey(settings.connectTokenSecret, 'csrf'), token),
      connectionId: connection.connectionId,
      connectorName: findConnector(connection.connectorKey)?.name ?? connection.connectorKey,
      accountLabel: accountLabelOf(connection),
      brand: settings.brand,
    }),
  )
})

connectPageRoutes.post(`${PAGE_PATH}/:connectionId/disconnect`, async (c) => {
  const { session, form } = await authorizedPost(c)
  const connectionId = checkedConnectionId(c.req.param('connectionId'))
  // Only the question's own answer disconnects: a post without it (an older page, a stray
  // submit) is shown the question instead.
  if (form[DISCONNECT_CONFIRMATION_FIELD] !== DISCONNECT_CONFIRMED) return c.redirect(`${PAGE_PATH}/${connectionId}/disconnect`, 303)
  await new LatchkeyApi(c.env).disconnect(session.tenant, connectionId)
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

/** The session's display name as a createConnectUrl option, so the flow's start can say whose account it is (S21). */
function displayNameOf(session: PageSession): { displayName?: string } {
  return session.displayName === null ? {} : { displayName: session.displayName }
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
 * Images: only from `imageOrigins`, those of the logos the page shows (logo.ts).
 */
function pagePolicy(settings: Settings, mode: PageMode, imageOrigins: string[]): PagePolicy {
  const formAction = settings.allowInsecureLoopback ? "'self' https: http://localhost:* http://127.0.0.1:*" : "'self' https:"
  const framers = mode === 'popup' ? [...settings.allowedReturnOrigins].join(' ') : ''
  return { formAction, frameAncestors: framers === '' ? "'none'" : framers, imageOrigins }
}

/**
 * The connection a flow returned with (`connection_id`), for the notice: from the page shown,
 * else (beyond the first page) asked for; `null` when there is none or it is not the tenant's.
 */
async function returnedConnection(api: LatchkeyApi, tenant: string, query: Record<string, string>, shown: ConnectionSummary[]): Promise<ConnectionSummary | null> {
  const connectionId = query['connection_id']
  if (connectionId === undefined || !isConnectionId(connectionId)) return null
  return shown.find((candidate) => candidate.connectionId === connectionId) ?? api.getConnection(tenant, connectionId).catch(notFoundAsNull)
}

/** What the query says just happened (a flow's return, a disconnect); only known values are shown. */
function noticeFrom(query: Record<string, string>, connection: ConnectionSummary | null, shown: ReadonlyMap<string, ConnectorShown>): PageNotice | null {
  if (query['notice'] === 'disconnected') return { tone: 'success', text: 'The connection was disconnected.' }
  const error = query['error']
  if (error !== undefined) {
    const code = Object.hasOwn(ERROR_CODES, error) ? error : 'internal_error'
    const provider = query['provider_error']
    const said = provider !== undefined && /^[A-Za-z0-9_.-]{1,64}$/.test(provider) ? ` The provider answered "${provider}".` : ''
    return { tone: 'problem', text: `The connection was not completed (error code ${code}).${said}` }
  }
  if (connection === null) return null
  const name = connectorShown(shown, connection.connectorKey).name
  if (connection.status === 'connected') return { tone: 'success', text: `${name} is connected.` }
  return { tone: 'problem', text: `${name} was authorized, but its connection check failed: see below.` }
}
