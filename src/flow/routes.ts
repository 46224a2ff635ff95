/**
 * The browser routes of the connect flow (Hono):
 *   GET /connect/:connectorKey?token=<connect token>   start: 302 to the provider's authorize URL, or
 *                                                      a page that asks first (S21, start-confirmation.ts);
 *                                                      typed credentials: 303 to the form
 *                                                      (credential-routes.ts)
 *   GET /oauth/callback                                the one redirect URI, OAuth2 (`state`) and
 *                                                      OAuth 1.0a (`oauth_token`): finish, then 303 to
 *                                                      the app's return URL or to /oauth/done (S7); with
 *                                                      the user verifier on, 303 to USER_VERIFY_URL
 *   GET /oauth/verified?flow&confirmation              user verifier: back from the app, finish (S21)
 *   POST /oauth/verify-user                            user verifier: the app's signed confirmation (JSON)
 *   GET /oauth/done?status&connection_id&error&...&sig the result page, or the popup ending
 * Every response is `Cache-Control: no-store` and `Referrer-Policy: no-referrer` (S7), by the
 * security-headers middleware src/index.ts runs around these routes; errors become pages in
 * `respondToError` (src/flow/error-response.ts), mounted by src/index.ts.
 * HEAD is refused on these browser routes: Hono would run their GET handler for it (starting a
 * flow, or spending a state), and link checkers probe with HEAD. A GET of the connect URL spends
 * nothing either: a one-time URL's `jti` is claimed when a flow it started completes (S15,
 * flow-claim.ts), so a link scanner that opens it does not burn it.
 */
import { Hono } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { isLatchkeyError, LatchkeyError } from '../errors.ts'
import type { HttpEnv } from '../http/http-env.ts'
import { CALLBACK_PATH, readSettings } from '../settings.ts'
import { checkReturnUrl } from './return-url.ts'
import { existingSession } from '../ui/page-session.ts'
import { backgroundOf } from './background.ts'
import { clearBindingCookie } from './browser-binding.ts'
import { isWellFormedState, parseCallbackQuery } from './callback-query.ts'
import { completeAuthorization, completeVerifiedAuthorization } from './complete-authorization.ts'
import { verifyConnectToken } from './connect-token.ts'
import { endFlow, showFlowResult } from './flow-ending.ts'
import { readFlowResult, RESULT_PATH } from './flow-result.ts'
import { startConfirmationPage } from './pages.ts'
import { parseUniqueQuery, rawQuery } from './query-string.ts'
import { signingKey } from './signing-keys.ts'
import { completeOAuth1Authorization, isOAuth1Callback, oauth1BindingCookieToClear } from './oauth1-callback.ts'
import { startConnection } from './start-authorization.ts'
import { isResourceRefusal } from './start-discovered-authorization.ts'
import { startConfirmation } from './start-confirmation.ts'
import { isWellFormedFlowId } from './user-verification-token.ts'
import { acceptVerifiedReturn, confirmUserVerification, VERIFIED_PATH } from './user-verification.ts'
import { readVerifyUserRequest } from './verify-user-request.ts'

/** The connect flow's routes; mount with `app.route('/', flowRoutes)` after the security-headers middleware. */
export const flowRoutes = new Hono<HttpEnv>()

for (const path of ['/connect/:connectorKey', CALLBACK_PATH, VERIFIED_PATH]) {
  flowRoutes.use(path, async (c, next) => {
    if (c.req.method !== 'HEAD') return next()
    c.header('Allow', 'GET')
    throw new LatchkeyError('method_not_allowed', 'This URL works only with GET: open it in the browser.')
  })
}

flowRoutes.get('/connect/:connectorKey', async (c) => {
  const now = Date.now()
  const token = parseUniqueQuery(rawQuery(c.req.url))['token']
  if (token === undefined || token === '') {
    throw new LatchkeyError('invalid_connect_token', 'The connect URL has no token parameter. Use a URL made by the application (createConnectUrl or a minted connect token).')
  }
  const key = await signingKey(readSettings(c.env).connectTokenSecret, 'connect-token')
  const request = await verifyConnectToken(token, key, now)
  // From here an error page can link back to the application (a return URL not allowed fails here, with no link).
  if (request.returnUrl !== null) c.set('errorReturnUrl', checkReturnUrl(request.returnUrl, readSettings(c.env).allowedReturnOrigins).href)
  // No Durable Object call on this path: the pending record's copy is written in the background.
  const connectorKey = c.req.param('connectorKey')
  const start = await startConnection(c.env, connectorKey, request, now, backgroundOf(c)).catch((error: unknown) => {
    if (!isResourceRefusal(error)) throw error
    return { kind: 'refused' as const, error }
  })
  // A discovered resource that leads nowhere usable: the application hears it at its return URL.
  if (start.kind === 'refused') {
    const origin = { connectorKey, returnUrl: request.returnUrl, mode: request.mode, connectionId: request.connectionId }
    return endFlow(c, { ok: false, record: origin, error: start.error, providerError: null })
  }
  c.header('Set-Cookie', start.setCookie)
  // The form is Latchkey's own page, which names the tenant itself.
  if (start.kind === 'form') return c.redirect(start.location, 303)
  // S21: a connect-page session in this browser tells whose account the person last used here.
  const page = await existingSession(c.req.header('Cookie') ?? null, key, now)
  const confirmation = startConfirmation({ tenant: request.tenant, displayName: request.displayName }, page?.session ?? null)
  if (confirmation === null) return c.redirect(start.authorizeUrl, 302)
  return c.html(startConfirmationPage(c.get('cspNonce'), start.connectorName, confirmation, start.authorizeUrl, readSettings(c.env).brand))
})

// The binding cookie is cleared whatever the outcome: the state is spent or useless.
flowRoutes.use(CALLBACK_PATH, async (c, next) => {
  await next()
  const state = new URL(c.req.url).searchParams.get('state')
  if (state !== null && isWellFormedState(state)) c.res.headers.append('Set-Cookie', clearBindingCookie(state))
  const oauth1Cookie = await oauth1BindingCookieToClear(rawQuery(c.req.url))
  if (oauth1Cookie !== null) c.res.headers.append('Set-Cookie', oauth1Cookie)
})

flowRoutes.get(CALLBACK_PATH, async (c) => {
  const query = parseCallbackQuery(rawQuery(c.req.url))
  if (isOAuth1Callback(query.parameters)) return endFlow(c, await completeOAuth1Authorization(c.env, rawQuery(c.req.url), c.req.header('Cookie') ?? null, Date.now()))
  const step = await completeAuthorization(c.env, query, c.req.header('Cookie') ?? null, Date.now(), backgroundOf(c))
  if ('ended' in step) return endFlow(c, step.ended)
  // S7 still holds: the code leaves the URL by this redirect, and waits server-side.
  c.header('Set-Cookie', step.verifyUser.setCookie, { append: true })
  return c.redirect(step.verifyUser.location, 303)
})

// The verify binding cookie is cleared whatever the outcome, like the state's.
flowRoutes.use(VERIFIED_PATH, async (c, next) => {
  await next()
  const flowId = new URL(c.req.url).searchParams.get('flow')
  if (flowId !== null && isWellFormedFlowId(flowId)) c.res.headers.append('Set-Cookie', clearBindingCookie(flowId, 'verify'))
})

flowRoutes.get(VERIFIED_PATH, async (c) => {
  const now = Date.now()
  const verified = await acceptVerifiedReturn(c.env, readSettings(c.env), rawQuery(c.req.url), c.req.header('Cookie') ?? null, now, backgroundOf(c))
  return endFlow(c, await completeVerifiedAuthorization(c.env, verified.record, verified.query, now))
})

// Server to server: answers JSON, never a page.
flowRoutes.post('/oauth/verify-user', async (c) => {
  const now = Date.now()
  const settings = readSettings(c.env)
  try {
    const request = await readVerifyUserRequest(c.req.raw, settings.userVerification?.secret, now)
    return c.json(await confirmUserVerification(settings, request.flow, request.tenant, now))
  } catch (error) {
    if (!isLatchkeyError(error)) throw error
    return c.json({ error: error.code, message: error.message }, error.status as ContentfulStatusCode)
  }
})

flowRoutes.get(RESULT_PATH, async (c) => showFlowResult(c, await readFlowResult(readSettings(c.env), rawQuery(c.req.url))))
