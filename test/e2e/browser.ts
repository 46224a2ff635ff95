/**
 * A browser without a browser: follows redirects by hand and keeps cookies per origin
 * (Path and Max-Age=0 respected, Secure only over https), so a test walks the connect flow
 * across the Worker (through `SELF`) and the authorization server (real HTTP on 127.0.0.1)
 * exactly as a user agent would. Every Worker response is kept for secret scanning (S13).
 */
import { SELF } from 'cloudflare:test'

/** The Worker's public origin in tests (PUBLIC_BASE_URL of vitest.config.ts). */
export const WORKER_ORIGIN = 'https://latchkey.test'

interface StoredCookie {
  name: string
  value: string
  path: string
  secure: boolean
}

/** One response the Worker gave, as the browser saw it. */
export interface WorkerAnswer {
  url: string
  status: number
  location: string | null
  body: string
}

/** Where a navigation stopped: a page (non-redirect) or a redirect leaving the Worker and the server. */
export interface NavigationEnd {
  url: string
  response: Response
  /** The Location of a redirect to an origin this browser does not follow (the app's return URL). */
  leftTo: string | null
}

const MAX_REDIRECTS = 20

/** A cookie-keeping user agent for the Worker and one other origin (the authorization server). */
export class Browser {
  readonly #cookies = new Map<string, StoredCookie[]>()
  readonly #followOrigins: Set<string>
  /** Every request made, in order, with the Cookie header it carried. */
  readonly requests: Array<{ url: string; cookieHeader: string }> = []
  /** Every answer of the Worker, with its body. */
  readonly workerAnswers: WorkerAnswer[] = []

  constructor(otherOrigins: string[]) {
    this.#followOrigins = new Set([WORKER_ORIGIN, ...otherOrigins])
  }

  /** Requests `url` (GET unless `init` says otherwise) and follows redirects within the known origins. */
  async navigate(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<NavigationEnd> {
    let current = url
    let request: { method?: string; form?: Record<string, string> } = init
    for (let hop = 0; hop < MAX_REDIRECTS; hop++) {
      const response = await this.request(current, request)
      const location = response.headers.get('Location')
      if (response.status < 300 || response.status > 399 || location === null) return { url: current, response, leftTo: null }
      await response.body?.cancel()
      const next = new URL(location, current)
      if (!this.#followOrigins.has(next.origin)) return { url: current, response, leftTo: next.toString() }
      current = next.toString()
      request = {}
    }
    throw new Error(`more than ${MAX_REDIRECTS} redirects from ${url}`)
  }

  /** One request with this browser's cookies, without following redirects. */
  async request(url: string, init: { method?: string; form?: Record<string, string>; cookieHeader?: string } = {}): Promise<Response> {
    const target = new URL(url)
    const headers = new Headers({ Accept: 'text/html' })
    const cookieHeader = init.cookieHeader ?? this.cookieHeaderFor(url)
    this.requests.push({ url, cookieHeader })
    if (cookieHeader !== '') headers.set('Cookie', cookieHeader)
    let body: string | undefined
    if (init.form) {
      headers.set('Content-Type', 'application/x-www-form-urlencoded')
      body = new URLSearchParams(init.form).toString()
    }
    const requestInit: RequestInit = { method: init.method ?? (init.form ? 'POST' : 'GET'), headers, body, redirect: 'manual' }
    const response = target.origin === WORKER_ORIGIN ? await SELF.fetch(url, requestInit) : await fetch(url, requestInit)
    this.#storeCookies(target, response.headers.getAll('Set-Cookie'))
    if (target.origin !== WORKER_ORIGIN) return response
    const text = await response.text()
    this.workerAnswers.push({ url, status: response.status, location: response.headers.get('Location'), body: text })
    return new Response(text, { status: response.status, headers: response.headers })
  }

  /** The Cookie header this browser sends to `url`. */
  cookieHeaderFor(url: string): string {
    const target = new URL(url)
    return (this.#cookies.get(target.origin) ?? [])
      .filter((cookie) => pathMatches(target.pathname, cookie.path) && (!cookie.secure || target.protocol === 'https:'))
      .map((cookie) => `${cookie.name}=${cookie.value}`)
      .join('; ')
  }

  #storeCookies(target: URL, setCookies: string[]): void {
    const jar = this.#cookies.get(target.origin) ?? []
    for (const header of setCookies) {
      const [pair = '', ...attributes] = header.split(';')
      const separator = pair.indexOf('=')
      if (separator <= 0) continue
      const cookie: StoredCookie = { name: pair.slice(0, separator).trim(), value: pair.slice(separator + 1).trim(), path: defaultPath(target), secure: false }
      let expired = false
      for (const attribute of attributes) {
        const [rawName = '', ...rest] = attribute.split('=')
        const name = rawName.trim().toLowerCase()
        const value = rest.join('=').trim()
        if (name === 'path' && value.startsWith('/')) cookie.path = value
        else if (name === 'secure') cookie.secure = true
        else if (name === 'max-age' && Number(value) <= 0) expired = true
        else if (name === 'expires' && Date.parse(value) <= Date.now()) expired = true
      }
      const others = jar.filter((stored) => stored.name !== cookie.name || stored.path !== cookie.path)
      jar.splice(0, jar.length, ...others, ...(expired ? [] : [cookie]))
    }
    this.#cookies.set(target.origin, jar)
  }
}

function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true
  if (!requestPath.startsWith(cookiePath)) return false
  return cookiePath.endsWith('/') || requestPath.charAt(cookiePath.length) === '/'
}

/** RFC 6265 section 5.1.4 default-path. */
function defaultPath(url: URL): string {
  const path = url.pathname
  const lastSlash = path.lastIndexOf('/')
  return lastSlash <= 0 ? '/' : path.slice(0, lastSlash)
}
