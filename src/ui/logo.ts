/**
 * Connector logos (`logoUri` of a connector spec) as the pages may show them: only an https URL
 * (http only on a loopback host with ALLOW_INSECURE_LOOPBACK, S10) without user information,
 * on a plain host name or IP address, becomes an image; anything else leaves the connector's
 * name on its own. The page's CSP then allows exactly the origins of the logos it shows
 * (`img-src`, src/http/security-headers.ts), so a logo is all a page can load.
 */
import { isLoopbackHost } from '../loopback-host.ts'

/** A logo a page may show. */
export interface Logo {
  /** The image URL, as `URL.href` serializes it. */
  src: string
  /** Its origin, for the page's `img-src`. */
  origin: string
}

/** Longest logo URL shown. */
export const MAX_LOGO_URL_LENGTH = 2048

/**
 * A host the CSP can list as it is: a DNS name (after IDNA) or an IP address; a URL parser
 * accepts hosts with characters (`;`, `,`, `'`) that would end a CSP source list.
 */
const PLAIN_HOST = /^(?:[a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])$/

/** The logo of `logoUri`, or null when there is none or it may not be shown. */
export function logoOf(logoUri: string | undefined, allowInsecureLoopback: boolean): Logo | null {
  if (logoUri === undefined || logoUri.length > MAX_LOGO_URL_LENGTH) return null
  let url: URL
  try {
    url = new URL(logoUri)
  } catch {
    return null
  }
  const secure = url.protocol === 'https:' || (url.protocol === 'http:' && allowInsecureLoopback && isLoopbackHost(url.hostname))
  if (!secure || url.username !== '' || url.password !== '' || !PLAIN_HOST.test(url.hostname)) return null
  return { src: url.href, origin: url.origin }
}

/** The distinct origins of `logos`, for `PagePolicy.imageOrigins`. */
export function logoOrigins(logos: Iterable<Logo | null>): string[] {
  const origins = new Set<string>()
  for (const logo of logos) if (logo !== null) origins.add(logo.origin)
  return [...origins].sort()
}
