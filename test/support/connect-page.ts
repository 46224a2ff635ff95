/**
 * The connect page (src/ui/routes.ts) as a visitor's browser uses it: open it with a page
 * token, read it (and the CSRF token its forms carry), submit its forms. The visitor's browser
 * runs the Worker with the Worker's own origin on ALLOWED_RETURN_ORIGINS, since flows started
 * from the page return to it.
 */
import { env } from 'cloudflare:test'
import { Browser, LATCHKEY_ORIGIN } from './browser.ts'

/** The test environment with the page's own origin allowed as a return URL. */
export const pageEnv = { ...env, ALLOWED_RETURN_ORIGINS: `${env.ALLOWED_RETURN_ORIGINS},${LATCHKEY_ORIGIN}` } as unknown as Env

/** A browser for the connect page, without a session yet. */
export function pageVisitor(): Browser {
  return new Browser({ env: pageEnv })
}

/** Opens the page with a page token (the browser keeps the session cookie); returns the exchange response. */
export function openPage(visitor: Browser, token: string): Promise<Response> {
  return visitor.get(`${LATCHKEY_ORIGIN}/connections?token=${token}`)
}

/** The page at `path` as HTML, and the CSRF token its forms carry. */
export async function readPage(visitor: Browser, path = '/connections'): Promise<{ response: Response; html: string; csrf: string }> {
  const response = await visitor.get(`${LATCHKEY_ORIGIN}${path}`)
  const html = await response.text()
  return { response, html, csrf: /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '' }
}

/** POSTs a form as the page's own form would (same-origin Fetch Metadata, `Origin: null` under no-referrer). */
export function submitPageForm(visitor: Browser, path: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
  return visitor.post(`${LATCHKEY_ORIGIN}${path}`, form, { 'Sec-Fetch-Site': 'same-origin', Origin: 'null', ...headers })
}
