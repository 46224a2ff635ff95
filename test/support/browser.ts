/**
 * The tests' one browser: a user agent that keeps cookies and talks to the Worker (through
 * `SELF`, or through its fetch handler when a test needs another environment) and to real
 * HTTP servers (the test upstream, the authorization server). It follows redirects only when
 * asked (`navigate`), so a test can stop at every hop. Cookies are kept per origin as RFC 6265
 * says (Path, Secure, Max-Age, Expires), partitioned cookies apart from the others as CHIPS
 * keeps them (the connect page sets one kind and clears the other in the same answer). Every
 * Worker answer is kept, body included, for secret scanning (S13).
 */
import { createExecutionContext, SELF, waitOnExecutionContext } from 'cloudflare:test'
import worker from '../../src/index.ts'

/** The Worker's public origin in tests (PUBLIC_BASE_URL of vitest.config.ts). */
export const LATCHKEY_ORIGIN = 'https://latchkey.test'

/** One response the Worker gave, as the browser saw it. */
export interface WorkerAnswer {
  url: string
  status: number
  location: string | null
  body: string
}

/** Where a navigation stopped: a page (non-redirect) or a redirect to an origin the browser does not follow. */
export interface NavigationEnd {
  url: string
  response: Response
  /** The Location of a redirect to an origin this browser does not follow (the app's return URL). */
  leftTo: string | null
}

/** One request. */
export interface RequestOptions {
  /** GET, or POST when there is a form. */
  method?: string
  /** Sent after (and so instead of) the browser's own Accept, Cookie and Content-Type. */
  headers?: Record<string, string>
  /** Sent as application/x-www-form-urlencoded. */
  form?: Record<string, string>
  /** A raw body (with `headers` saying its type). */
  body?: string
  /** The Cookie header to send instead of this browser's cookies (a replay). */
  cookieHeader?: string
}

/** How a browser reaches the Worker and which redirects it follows. */
export interface BrowserOptions {
  /** Origins besides the Worker's whose redirects `navigate` follows (an authorization server). */
  follow?: readonly string[]
  /**
   * Sends every request, whatever its origin, to the Worker's fetch handler run with this
   * environment (a Worker configured otherwise than `SELF`, perhaps on another host).
   */
  env?: Env
}

interface StoredCookie {
  name: string
  value: string
  path: string
  secure: boolean
  partitioned: boolean
}

const MAX_REDIRECTS = 20
/** Statuses whose response has no body (the Fetch standard): rebuilding one must not give it one. */
const NULL_BODY_STATUSES = new Set([101, 204, 205, 304])

/** A cookie-keeping user agent; one per user (or attacker) in a test. */
export class Browser {
  readonly #cookies = new Map<string, StoredCookie[]>()
  readonly #followOrigins: Set<string>
  readonly #env: Env | undefined
  /** Every request made, in order, with the Cookie header it carried. */
  readonly requests: Array<{ url: string; cookieHeader: string }> = []
  /** Every answer of the Worker, with its body. */
  readonly workerAnswers: WorkerAnswer[] = []

  constructor(options: BrowserOptions = {}) {
    this.#followOrigins = new Set([LATCHKEY_ORIGIN, ...(options.follow ?? [])])
    this.#env = options.env
  }

  /** GET `url` with this browser's cookies; redirects are not followed. */
  get(url: string | URL, headers: Record<string, string> = {}): Promise<Response> {
    return this.request(url, { headers })
  }

  /** Requests `url` (GET unless `options` says otherwise) and follows redirects within the known origins. */
  async navigate(url: string, options: RequestOptions = {}): Promise<NavigationEnd> {
    let current = url
    let request = options
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
  async request(url: string | URL, options: RequestOptions = {}): Promise<Response> {
    const target = new URL(url)
    const cookieHeader = options.cookieHeader ?? this.cookieHeader(target)
    this.requests.push({ url: target.toString(), cookieHeader })
    const headers = new Headers({ Accept: 'text/html' })
    if (cookieHeader !== '') headers.set('Cookie', cookieHeader)
    let body = options.body
    if (options.form !== undefined) {
      headers.set('Content-Type', 'application/x-www-form-urlencoded')
      body = new URLSearchParams(options.form).toString()
    }
    for (const [name, value] of Object.entries(options.headers ?? {})) headers.set(name, value)
    const init: RequestInit = { method: options.method ?? (options.form === undefined ? 'GET' : 'POST'), headers, body, redirect: 'manual' }
    const toWorker = this.#env !== undefined || target.origin === LATCHKEY_ORIGIN
    const response = toWorker ? await this.#callWorker(new Request(target, init)) : await fetch(target, init)
    this.#storeCookies(target, response.headers.getAll('Set-Cookie'))
    if (!toWorker) return response
    const text = await response.text()
    this.workerAnswers.push({ url: target.toString(), status: response.status, location: response.headers.get('Location'), body: text })
    return new Response(NULL_BODY_STATUSES.has(response.status) ? null : text, { status: response.status, statusText: response.statusText, headers: response.headers })
  }

  /** POST `form` to `url` (no redirects followed); `headers` add to or replace the browser's own. */
  post(url: string | URL, form: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
    return this.request(url, { form, headers })
  }

  /** The Cookie header this browser sends to `url` (by default, the Worker's root). */
  cookieHeader(url: string | URL = `${LATCHKEY_ORIGIN}/`): string {
    const target = new URL(url)
    return (this.#cookies.get(target.origin) ?? [])
      .filter((cookie) => pathMatches(target.pathname, cookie.path) && (!cookie.secure || target.protocol === 'https:'))
      .map((cookie) => `${cookie.name}=${cookie.value}`)
      .join('; ')
  }

  /** The Worker's cookies this browser holds, by name (a copy). */
  cookies(): Map<string, string> {
    return new Map((this.#cookies.get(LATCHKEY_ORIGIN) ?? []).map((cookie) => [cookie.name, cookie.value]))
  }

  /** Sets a cookie for the Worker as the Worker sets its own (Path=/, Secure), replacing one of that name. */
  setCookie(name: string, value: string): void {
    this.#keep(LATCHKEY_ORIGIN, { name, value, path: '/', secure: true, partitioned: false }, false)
  }

  /** Forgets every cookie, of every origin. */
  clearCookies(): void {
    this.#cookies.clear()
  }

  async #callWorker(request: Request): Promise<Response> {
    if (this.#env === undefined) return SELF.fetch(request)
    const context = createExecutionContext()
    const response = await worker.fetch(request, this.#env, context)
    await waitOnExecutionContext(context)
    return response
  }

  #storeCookies(target: URL, setCookies: string[]): void {
    for (const header of setCookies) {
      const [pair = '', ...attributes] = header.split(';')
      const separator = pair.indexOf('=')
      if (separator <= 0) continue
      const cookie: StoredCookie = { name: pair.slice(0, separator).trim(), value: pair.slice(separator + 1).trim(), path: defaultPath(target), secure: false, partitioned: false }
      let expired = false
      for (const attribute of attributes) {
        const [rawName = '', ...rest] = attribute.split('=')
        const name = rawName.trim().toLowerCase()
        const value = rest.join('=').trim()
        if (name === 'path' && value.startsWith('/')) cookie.path = value
        else if (name === 'secure') cookie.secure = true
        else if (name === 'partitioned') cookie.partitioned = true
        else if (name === 'max-age' && Number(value) <= 0) expired = true
        else if (name === 'expires' && Date.parse(value) <= Date.now()) expired = true
      }
      this.#keep(target.origin, cookie, expired)
    }
  }

  /** Stores `cookie`, replacing the one with the same name, path and partitioning; an expired one only removes. */
  #keep(origin: string, cookie: StoredCookie, expired: boolean): void {
    const others = (this.#cookies.get(origin) ?? []).filter((stored) => stored.name !== cookie.name || stored.path !== cookie.path || stored.partitioned !== cookie.partitioned)
    this.#cookies.set(origin, expired ? others : [...others, cookie])
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
