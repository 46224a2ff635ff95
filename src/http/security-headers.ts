/**
 * The response headers of every browser route, set in one Hono middleware (the shape of
 * hono/secure-headers, whose defaults Latchkey does not want: it allows same-origin framing
 * and sends headers the pages do not need):
 *
 *   every response   Cache-Control: no-store, Referrer-Policy: no-referrer (S7: codes, states
 *                    and tokens must not be cached or leak through Referer)
 *   HTML pages       a CSP allowing only the response's own nonce, nothing else loaded but the
 *                    images of `PagePolicy.imageOrigins` (connector logos), forms and framing per
 *                    `PagePolicy` (default: neither), X-Content-Type-Options, and
 *                    X-Frame-Options: DENY when no one may frame the page
 *
 * Handlers read the nonce with `c.get('cspNonce')` and widen the policy with `c.set('pagePolicy', ...)`.
 */
import type { MiddlewareHandler } from 'hono'
import { randomToken } from '../random-token.ts'

/** What a page may do beyond showing itself, as CSP source lists. */
export interface PagePolicy {
  /** `form-action`: where its forms may post (and redirect to). */
  formAction: string
  /** `frame-ancestors`: who may frame it; `'none'` also sends X-Frame-Options: DENY. */
  frameAncestors: string
  /**
   * `img-src`: the exact origins the page shows images from (connector logos), each an origin
   * as `URL.origin` serializes it and checked by the page (src/ui/logo.ts); none or absent:
   * `default-src 'none'` loads no image.
   */
  imageOrigins?: readonly string[]
}

/** The context variables the middleware provides (`Hono<{ Variables: SecurityHeadersVariables }>`). */
export type SecurityHeadersVariables = {
  /** This response's CSP nonce, for the page's `<script>` and `<style>`. */
  cspNonce: string
  /** Set by a handler whose page posts forms or may be framed. */
  pagePolicy?: PagePolicy
  /** Set by a handler whose response is a public, cacheable document (the client ID metadata document): sent instead of `no-store`. */
  publicCacheControl?: string
}

const NOTHING = "'none'"

/** Adds the headers above to the response of every route registered after it. */
export const securityHeaders: MiddlewareHandler<{ Variables: SecurityHeadersVariables }> = async (c, next) => {
  c.set('cspNonce', randomToken())
  await next()
  const headers = c.res.headers
  headers.set('Cache-Control', c.get('publicCacheControl') ?? 'no-store')
  headers.set('Referrer-Policy', 'no-referrer')
  if (!(headers.get('Content-Type') ?? '').startsWith('text/html')) return
  const nonce = c.get('cspNonce')
  const { formAction, frameAncestors, imageOrigins = [] } = c.get('pagePolicy') ?? { formAction: NOTHING, frameAncestors: NOTHING }
  const policy = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src 'nonce-${nonce}'`,
    "base-uri 'none'",
    `form-action ${formAction}`,
    `frame-ancestors ${frameAncestors}`,
  ]
  if (imageOrigins.length > 0) policy.push(`img-src ${[...new Set(imageOrigins)].join(' ')}`)
  headers.set('Content-Security-Policy', policy.join('; '))
  headers.set('X-Content-Type-Options', 'nosniff')
  if (frameAncestors === NOTHING) headers.set('X-Frame-Options', 'DENY')
}
