/**
 * The one place errors become responses (`app.onError`, `app.notFound`): a LatchkeyError is an
 * HTML page with its code and message and its status; anything else is a generic 500, logged
 * by name and stack frames only (a message may quote a secret, S13). The security-headers
 * middleware, which runs around every route, adds the page's headers.
 */
import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { isLatchkeyError } from '../errors.ts'
import type { HttpEnv } from '../http/http-env.ts'
import { errorPage } from './pages.ts'

/** Turns any thrown error into the error page. */
export function respondToError(error: unknown, c: Context<HttpEnv>): Response | Promise<Response> {
  const nonce = c.get('cspNonce')
  if (isLatchkeyError(error)) return c.html(errorPage(nonce, error.code, error.message), error.status as ContentfulStatusCode)
  console.error('latchkey: unexpected error', describeUnexpected(error))
  return c.html(errorPage(nonce, 'internal_error', 'Latchkey failed unexpectedly. Try again; the Worker logs have details.'), 500)
}

/** The page for a path no route serves. */
export function respondNotFound(c: Context<HttpEnv>): Response | Promise<Response> {
  return c.html(errorPage(c.get('cspNonce'), 'route_not_found', `Latchkey serves no ${c.req.method} ${new URL(c.req.url).pathname.slice(0, 100)}.`), 404)
}

function describeUnexpected(error: unknown): string {
  if (!(error instanceof Error)) return typeof error
  const frames = (error.stack ?? '').split('\n').filter((line) => line.trimStart().startsWith('at '))
  return [error.name, ...frames.slice(0, 5)].join('\n')
}
