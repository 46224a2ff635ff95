/**
 * A browser for the connect page tests: requests go to the Worker's Hono app with the test
 * environment plus the Worker's own origin on ALLOWED_RETURN_ORIGINS (flows started from the
 * page return to it), keeping the page's session cookie between requests.
 */
import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test'
import { SignJWT, type JWTPayload } from 'jose'
import worker from '../../src/index.ts'
import { connectTokenKey } from '../../src/flow/connect-token.ts'
import { PAGE_COOKIE_NAME } from '../../src/ui/page-session.ts'
import { PAGE_TOKEN_AUDIENCE, PAGE_TOKEN_HEADER, signPageToken, type PageMode } from '../../src/ui/page-token.ts'

/** The Worker's origin in tests (PUBLIC_BASE_URL of vitest.config.ts). */
export const ORIGIN = 'https://latchkey.test'

/** The test environment with the page's own origin allowed as a return URL. */
export const pageEnv = { ...env, ALLOWED_RETURN_ORIGINS: `${env.ALLOWED_RETURN_ORIGINS},${ORIGIN}` } as unknown as Env

/** Calls the Worker (no redirects followed) with `environment`. */
export async function callWorker(url: string, init: RequestInit = {}, environment: Env = pageEnv): Promise<Response> {
  const context = createExecutionContext()
  const response = await worker.fetch(new Request(url, { redirect: 'manual', ...init }), environment, context)
  await waitOnExecutionContext(context)
  return response
}

/** A page token as an application mints it: valid 10 minutes, signed with CONNECT_TOKEN_SECRET. */
export async function mintPageToken(tenant: string, mode: PageMode = 'redirect'): Promise<string> {
  return signPageToken(connectTokenKey(env.CONNECT_TOKEN_SECRET), { tenant, mode, expiresAt: Date.now() + 600_000 })
}

/** A token with any header and claims, signed with `secret` (default CONNECT_TOKEN_SECRET) using HS256. */
export async function forgeToken(header: Record<string, unknown>, claims: JWTPayload, secret: string = env.CONNECT_TOKEN_SECRET): Promise<string> {
  const critical = Array.isArray(header['crit']) ? Object.fromEntries(header['crit'].map((name: string) => [name, true])) : undefined
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', ...header })
    .sign(new TextEncoder().encode(secret), critical === undefined ? undefined : { crit: critical })
}

/** The header and claims of a well-formed page token for `tenant`, to vary one at a time. */
export function pageTokenParts(tenant: string): { header: Record<string, unknown>; claims: JWTPayload } {
  const now = Math.floor(Date.now() / 1000)
  return {
    header: { typ: 'JWT', crit: [PAGE_TOKEN_HEADER], [PAGE_TOKEN_HEADER]: true },
    claims: { sub: tenant, aud: PAGE_TOKEN_AUDIENCE, iat: now, exp: now + 600 },
  }
}

/** One visitor of the page, holding its session cookie. */
export class PageVisitor {
  cookie: string | null = null

  /** Opens the page with a page token and keeps the session cookie; returns the exchange response. */
  async open(token: string): Promise<Response> {
    const response = await callWorker(`${ORIGIN}/connections?token=${token}`)
    for (const setCookie of response.headers.getAll('Set-Cookie')) {
      const pair = setCookie.split(';')[0] ?? ''
      if (pair.startsWith(`${PAGE_COOKIE_NAME}=`) && pair.length > PAGE_COOKIE_NAME.length + 1) this.cookie = pair
    }
    return response
  }

  /** GET a page path with the session cookie. */
  get(path: string, environment: Env = pageEnv): Promise<Response> {
    return callWorker(`${ORIGIN}${path}`, { headers: this.headers() }, environment)
  }

  /** The page as HTML, and the CSRF token its forms carry. */
  async page(path = '/connections'): Promise<{ response: Response; html: string; csrf: string }> {
    const response = await this.get(path)
    const html = await response.text()
    return { response, html, csrf: /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '' }
  }

  /** POST a form as the page's own form would (same-origin Fetch Metadata, `Origin: null` under no-referrer). */
  post(path: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
    return callWorker(`${ORIGIN}${path}`, {
      method: 'POST',
      headers: { ...this.headers(), 'Content-Type': 'application/x-www-form-urlencoded', 'Sec-Fetch-Site': 'same-origin', Origin: 'null', ...headers },
      body: new URLSearchParams(form).toString(),
    })
  }

  private headers(): Record<string, string> {
    return this.cookie === null ? {} : { Cookie: this.cookie }
  }
}

/** The stable error code an error page shows. */
export async function pageErrorCode(response: Response): Promise<string | null> {
  return /Error code: <code>([a-z_]+)<\/code>/.exec(await response.clone().text())?.[1] ?? null
}
