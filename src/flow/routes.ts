/**
 * The browser routes of the connect flow (Hono):
 *   GET /connect/:connectorKey?token=<connect token>   start: 302 to the provider's authorize URL
 *   GET /oauth/callback                                the one redirect URI: finish, then 303 to the
 *                                                      app's return URL or to /oauth/done (S7)
 *   GET /oauth/done?status&connection_id&error&...&sig the result page, or the popup ending
 * Every response is `Cache-Control: no-store` and `Referrer-Policy: no-referrer` (S7), by the
 * security-headers middleware src/index.ts runs around these routes; errors become pages in
 * `respondToError` (src/flow/error-response.ts), mounted by src/index.ts.
 * HEAD is refused on the routes that spend something (a one-time token, a state): Hono would
 * run their GET handler for it, and link checkers probe with HEAD.
 */
import { Hono } from 'hono'
import { LatchkeyError } from '../errors.ts'
import type { HttpEnv } from '../http/http-env.ts'
import { CALLBACK_PATH, readSettings } from '../settings.ts'
import { clearBindingCookie } from './browser-binding.ts'
import { isWellFormedState, parseCallbackQuery } from './callback-query.ts'
import { completeAuthorization } from './complete-authorization.ts'
import { verifyConnectToken } from './connect-token.ts'
import { endFlow, showFlowResult } from './flow-ending.ts'
import { readFlowResult, RESULT_PATH } from './flow-result.ts'
import { parseUniqueQuery, rawQuery } from './query-string.ts'
import { signingKey } from './signing-keys.ts'
import { startAuthorization } from './start-authorization.ts'

/** The connect flow's routes; mount with `app.route('/', flowRoutes)` after the security-headers middleware. */
export const flowRoutes = new Hono<HttpEnv>()

for (const path of ['/connect/:connectorKey', CALLBACK_PATH]) {
  flowRoutes.use(path, async (c, next) => {
    if (c.req.method !== 'HEAD') return next()
    c.header('Allow', 'GET')
    throw new LatchkeyError('method_not_allowed', 'This URL works once and only with GET: open it in the browser.')
  })
}

flowRoutes.get('/connect/:connectorKey', async (c) => {
  const now = Date.now()
  const token = parseUniqueQuery(rawQuery(c.req.url))['token']
  if (token === undefined || token === '') {
    throw new LatchkeyError('invalid_connect_token', 'The connect URL has no token parameter. Use a URL made by the application (createConnectUrl or a minted connect token).')
  }
  const request = await verifyConnectToken(token, await signingKey(readSettings(c.env).connectTokenSecret, 'connect-token'), now)
  const start = await startAuthorization(c.env, c.req.param('connectorKey'), request, now)
  c.header('Set-Cookie', start.setCookie)
  return c.redirect(start.authorizeUrl, 302)
})

// The binding cookie is cleared whatever the outcome: the state is spent or useless.
flowRoutes.use(CALLBACK_PATH, async (c, next) => {
  await next()
  const state = new URL(c.req.url).searchParams.get('state')
  if (state !== null && isWellFormedState(state)) c.res.headers.append('Set-Cookie', clearBindingCookie(state))
})

flowRoutes.get(CALLBACK_PATH, async (c) => {
  const query = parseCallbackQuery(rawQuery(c.req.url))
  const outcome = await completeAuthorization(c.env, query, c.req.header('Cookie') ?? null, Date.now())
  return endFlow(c, outcome)
})

flowRoutes.get(RESULT_PATH, async (c) => showFlowResult(c, await readFlowResult(readSettings(c.env), rawQuery(c.req.url))))
