/**
 * The adapter's browser: opens a URL and follows redirects itself (fetch's `redirect: 'manual'`),
 * keeping cookies per origin, until the next location is the application's return URL, which a
 * browser would then load and the adapter only reads. This is the whole user-agent part of a
 * connect flow: connect URL -> the authorization server's authorize endpoint (the suite's servers
 * redirect at once, no sign-in page) -> Latchkey's callback -> the return URL.
 *
 * Nothing here logs a whole URL: connect URLs, authorization requests and callbacks carry
 * one-time tokens, `state` and codes.
 */
import { CookieJar } from './cookie-jar.ts'

/** Most redirects one navigation follows (a connect flow needs three). */
export const MAX_REDIRECTS = 10
/** Longest a single request of a navigation may take. */
const REQUEST_TIMEOUT_MS = 20_000
/** Characters of a page's text kept when a navigation ends on it (Latchkey's pages are a few KiB). */
const PAGE_TEXT_LENGTH = 64 * 1024

/** Where a navigation ended. */
export type NavigationEnd =
  /** A redirect to the return URL: its query holds the flow's result. */
  | { kind: 'returned'; url: URL }
  /** A page that is not a redirect (an error page, say): its status and (the start of) its text. */
  | { kind: 'page'; url: URL; status: number; text: string }

/** A browser: its cookie jar and one navigation at a time. */
export class Browser {
  readonly #cookies = new CookieJar()
  readonly #log: (line: string) => void

  /** `log` receives one line per hop (method, status and origin + path, never a query). */
  constructor(log: (line: string) => void) {
    this.#log = log
  }

  /** Opens `start` and follows redirects until one goes to `returnUrl` (same origin and path) or a page answers. */
  async navigate(start: string, returnUrl: string): Promise<NavigationEnd> {
    const target = new URL(returnUrl)
    let url = new URL(start)
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const cookie = this.#cookies.header(url)
      const response = await fetch(url, {
        redirect: 'manual',
        headers: cookie === null ? {} : { Cookie: cookie },
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      })
      this.#cookies.store(url, setCookieValues(response.headers))
      this.#log(`GET ${withoutQuery(url)} -> ${response.status}`)
      const location = response.headers.get('Location')
      if (response.status < 300 || response.status > 399 || location === null) {
        const text = await response.text()
        return { kind: 'page', url, status: response.status, text: text.slice(0, PAGE_TEXT_LENGTH) }
      }
      await response.body?.cancel()
      url = new URL(location, url)
      if (url.origin === target.origin && url.pathname === target.pathname) return { kind: 'returned', url }
    }
    throw new Error(`more than ${MAX_REDIRECTS} redirects, last to ${withoutQuery(url)}`)
  }
}

/** Each `Set-Cookie` of `headers`: the Fetch standard's iteration yields them one by one, never combined. */
export function setCookieValues(headers: Headers): string[] {
  return [...headers].filter(([name]) => name === 'set-cookie').map(([, value]) => value)
}

/** `url` without query or fragment: what may be logged. */
export function withoutQuery(url: URL): string {
  return `${url.origin}${url.pathname}`
}
