/**
 * The `fetch` connector JavaScript gets (S20): the Workers fetch, except that it follows
 * redirects itself, only to the same origin and never re-sending a body. The build
 * (scripts/compiler/bundle-methods.ts) injects it for every free `fetch` in connector code, so
 * existing connectors need no change: a custom getTokenData or refreshCredentials that posts a
 * code or a refresh token cannot be redirected into handing it, or taking credentials from,
 * another host.
 */

/** Most redirects followed for one call (the Fetch standard's limit). */
const MAX_REDIRECTS = 20

/** A redirect connector code may not follow; the message names origins only, never a path or query. */
export class ConnectorRedirectError extends Error {
  override readonly name = 'ConnectorRedirectError'
}

/** `fetch` for connector code: same-origin redirects without a body are followed, any other is refused. */
export async function connectorFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  let request = new Request(input, init)
  if (request.redirect !== 'follow') return fetch(request)
  for (let hop = 0; ; hop += 1) {
    const response = await fetch(new Request(request, { redirect: 'manual' }))
    const location = response.headers.get('Location')
    if (!isRedirect(response.status) || location === null) return response
    await response.body?.cancel()
    const from = new URL(request.url)
    const target = new URL(location, from)
    if (target.origin !== from.origin) {
      throw new ConnectorRedirectError(
        `${from.origin} answered HTTP ${response.status} redirecting to another origin (${target.origin}): connector code does not follow redirects across origins`,
      )
    }
    const keepsMethod = response.status === 307 || response.status === 308
    if (keepsMethod && request.body !== null) {
      throw new ConnectorRedirectError(`${from.origin} answered HTTP ${response.status} to a request with a body: connector code never re-sends a body on a redirect`)
    }
    if (hop >= MAX_REDIRECTS) throw new ConnectorRedirectError(`${from.origin}: more than ${MAX_REDIRECTS} redirects`)
    // 301/302/303 turn into a GET without the body, as browsers do (Fetch standard, HTTP-redirect fetch).
    const method = keepsMethod || request.method === 'GET' || request.method === 'HEAD' ? request.method : 'GET'
    const headers = new Headers(request.headers)
    if (method !== request.method) for (const name of ['content-type', 'content-length', 'content-encoding']) headers.delete(name)
    request = new Request(target, { method, headers, redirect: 'follow' })
  }
}

function isRedirect(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308
}
