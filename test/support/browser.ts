/**
 * A minimal browser for flow tests: sends requests to the Worker (`SELF.fetch`) or to the
 * upstream (`fetch`) without following redirects, and keeps the Worker's cookies.
 */
import { SELF } from 'cloudflare:test'

/** The Worker's public origin in tests (PUBLIC_BASE_URL of vitest.config.ts). */
export const LATCHKEY_ORIGIN = 'https://latchkey.test'

/** One browser: its own cookie jar for the Worker's origin. */
export class Browser {
  readonly cookies = new Map<string, string>()

  /** GET `url` (Worker or upstream) with this browser's cookies; redirects are not followed. */
  async get(url: string | URL, headers: Record<string, string> = {}): Promise<Response> {
    const target = new URL(url)
    if (target.origin !== LATCHKEY_ORIGIN) return fetch(target, { redirect: 'manual', headers })
    const cookie = this.cookieHeader()
    const response = await SELF.fetch(target.toString(), { redirect: 'manual', headers: cookie === '' ? headers : { Cookie: cookie, ...headers } })
    this.store(response)
    return response
  }

  /** The Cookie header this browser sends to the Worker. */
  cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ')
  }

  private store(response: Response): void {
    for (const setCookie of response.headers.getAll('Set-Cookie')) {
      const [pair = '', ...attributes] = setCookie.split(';')
      const separator = pair.indexOf('=')
      const name = pair.slice(0, separator).trim()
      const value = pair.slice(separator + 1).trim()
      const expired = attributes.some((attribute) => attribute.trim().toLowerCase() === 'max-age=0')
      if (expired) this.cookies.delete(name)
      else this.cookies.set(name, value)
    }
  }
}
