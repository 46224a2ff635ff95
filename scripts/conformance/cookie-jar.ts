/**
 * The adapter's browser cookies: what a browser keeps between the connect URL and Latchkey's
 * callback, above all the `__Host-` cookie binding the flow to the browser that started it (S2).
 * Cookies are kept per origin, which is what `__Host-` cookies mean (no Domain, Path=/); Domain
 * and Path attributes of other cookies are not honoured, and `Secure` cookies are sent over
 * http://localhost as browsers do for a potentially trustworthy origin.
 */

/** Cookies by origin, then by name. */
export class CookieJar {
  readonly #cookies = new Map<string, Map<string, string>>()

  /** Takes the `Set-Cookie` header values of a response from `url`. */
  store(url: URL, setCookieValues: readonly string[]): void {
    for (const value of setCookieValues) {
      const parsed = parseSetCookie(value)
      if (parsed === null) continue
      const cookies = this.#cookies.get(url.origin) ?? new Map<string, string>()
      if (parsed.expired) cookies.delete(parsed.name)
      else cookies.set(parsed.name, parsed.value)
      this.#cookies.set(url.origin, cookies)
    }
  }

  /** The `Cookie` header for a request to `url`, or null when the jar has none for its origin. */
  header(url: URL): string | null {
    const cookies = this.#cookies.get(url.origin)
    if (cookies === undefined || cookies.size === 0) return null
    return [...cookies].map(([name, value]) => `${name}=${value}`).join('; ')
  }
}

/** A `Set-Cookie` value read: name, value, and whether it removes the cookie. */
export interface SetCookie {
  name: string
  value: string
  /** `Max-Age` zero or less, or an `Expires` in the past: the cookie is removed. */
  expired: boolean
}

/** Reads one `Set-Cookie` value (RFC 6265 section 5.2); null when it has no name. */
export function parseSetCookie(value: string, now: number = Date.now()): SetCookie | null {
  const [pair = '', ...attributes] = value.split(';')
  const separator = pair.indexOf('=')
  if (separator <= 0) return null
  const name = pair.slice(0, separator).trim()
  if (name === '') return null
  let expired = false
  for (const attribute of attributes) {
    const [rawKey = '', ...rest] = attribute.split('=')
    const key = rawKey.trim().toLowerCase()
    const attributeValue = rest.join('=').trim()
    if (key === 'max-age' && /^-?\d+$/.test(attributeValue)) expired = Number(attributeValue) <= 0
    if (key === 'expires' && !attributes.some((other) => other.trim().toLowerCase().startsWith('max-age='))) {
      const expires = Date.parse(attributeValue)
      if (!Number.isNaN(expires)) expired = expires <= now
    }
  }
  return { name, value: pair.slice(separator + 1).trim(), expired }
}
