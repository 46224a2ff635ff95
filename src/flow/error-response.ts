/**
 * The one place errors become responses (`app.onError`, `app.notFound`): a LatchkeyError is the
 * error page (pages.ts) with its code and message and its status; anything else is a generic
 * 500, logged by name and stack frames only (a message may quote a secret, S13). The page says
 * what happened in plain words and offers the way back: to the connect page when the error came
 * from it, to the application when a flow route had checked its return URL, otherwise the advice
 * to start again from the application. The security-headers middleware, which runs around every
 * route, adds the page's headers.
 */
import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { isLatchkeyError } from '../errors.ts'
import { DEFAULT_BRAND, type Brand } from '../http/brand.ts'
import type { HttpEnv } from '../http/http-env.ts'
import { readSettings } from '../settings.ts'
import { isConnectPagePath, PAGE_PATH } from '../ui/page-path.ts'
import { errorPage, type ErrorPageOptions, type WayBack } from './pages.ts'

/**
 * Errors after which the connect page would fail again: a missing or expired session, and a
 * deployment the page cannot run on. Only the application (a new page link) or its operators help.
 */
const PAGE_CANNOT_HELP: ReadonlySet<string> = new Set(['invalid_page_token', 'server_misconfigured', 'credentials_key_misconfigured'])

/** Turns any thrown error into the error page. */
export function respondToError(error: unknown, c: Context<HttpEnv>): Response | Promise<Response> {
  const nonce = c.get('cspNonce')
  if (isLatchkeyError(error)) return c.html(errorPage(nonce, error.code, error.message, errorPageOptions(c, error.code)), error.status as ContentfulStatusCode)
  console.error('latchkey: unexpected error', describeUnexpected(error))
  return c.html(errorPage(nonce, 'internal_error', 'Latchkey failed unexpectedly. Try again; the Worker logs have details.', errorPageOptions(c, 'internal_error')), 500)
}

/** The page for a path no route serves. */
export function respondNotFound(c: Context<HttpEnv>): Response | Promise<Response> {
  const message = `Latchkey serves no ${c.req.method} ${new URL(c.req.url).pathname.slice(0, 100)}.`
  return c.html(errorPage(c.get('cspNonce'), 'route_not_found', message, errorPageOptions(c, 'route_not_found')), 404)
}

function errorPageOptions(c: Context<HttpEnv>, code: string): ErrorPageOptions {
  return { brand: brandOf(c), wayBack: wayBackOf(c, code) }
}

/** Back to the connect page the error came from, else to the application when a flow route knows where. */
function wayBackOf(c: Context<HttpEnv>, code: string): WayBack | null {
  if (isConnectPagePath(new URL(c.req.url).pathname) && !PAGE_CANNOT_HELP.has(code)) return { to: 'connect-page', href: PAGE_PATH }
  const returnUrl = c.get('errorReturnUrl')
  // The route checked it against ALLOWED_RETURN_ORIGINS; a link is made of an http(s) URL only, whatever it set.
  return returnUrl === undefined || !/^https?:\/\//i.test(returnUrl) ? null : { to: 'application', href: returnUrl }
}

/** The configured brand; never a reason for the error page itself to fail. */
function brandOf(c: Context<HttpEnv>): Brand {
  try {
    return readSettings(c.env).brand
  } catch {
    return DEFAULT_BRAND
  }
}

function describeUnexpected(error: unknown): string {
  if (!(error instanceof Error)) return typeof error
  const frames = (error.stack ?? '').split('\n').filter((line) => line.trimStart().startsWith('at '))
  return [error.name, ...frames.slice(0, 5)].join('\n')
}
