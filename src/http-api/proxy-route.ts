/**
 * `/v1/connections/{id}/proxy/{path}`, any method: the connector's API called with the
 * connection's authentication, through the same LatchkeyApi.proxy as RPC callers (requests stay
 * under the connector's baseUri, a 401 refreshes once and retries once, redirects come back
 * unfollowed, bodies over MAX_API_BODY_BYTES are refused). The rest of the path after `/proxy`
 * (still percent-encoded) and the query string are the call's path under baseUri; nothing after
 * it is the baseUri itself.
 *
 * What the caller sent to Latchkey stays with Latchkey: its Authorization (the API key), the
 * Latchkey-Tenant header, cookies and the client-address headers Cloudflare adds are not
 * forwarded (hop-by-hop headers are dropped by readApiCall). The provider's answer comes back
 * as it is, except Set-Cookie (it would be set for Latchkey's origin).
 *
 * One definition feeds the OpenAPI document (once per common method) and the router (every
 * method: `app.all`, since zod-openapi routes one method and a path parameter without slashes).
 */
import { createRoute, z } from '@hono/zod-openapi'
import { guard, guarded } from './access-guard.ts'
import type { HttpApiApp } from './http-api-env.ts'
import { ConnectionIdParams, problemResponses } from './schemas.ts'
import { API_OPERATIONS } from './scopes.ts'
import { TENANT_HEADER, TenantHeaders, tenantFromHeader } from './tenant-header.ts'

/** The methods the OpenAPI document lists; the route answers any method but CONNECT and TRACE. */
const DOCUMENTED_METHODS = ['get', 'post', 'put', 'patch', 'delete', 'options'] as const
/** The path the router matches (Hono syntax); `*` takes the rest, slashes included. */
const ROUTER_PATH = '/v1/connections/:id/proxy/*'
/** Splits the raw pathname: the rest after `/proxy` is the path under baseUri. */
const PROXY_PATH = /^\/v1\/connections\/[^/]+\/proxy(\/.*)?$/

/** Request headers that belong to the call to Latchkey, never to the provider. */
const LATCHKEY_HEADERS = new Set(['authorization', TENANT_HEADER, 'cookie', 'forwarded', 'x-real-ip', 'true-client-ip', 'cdn-loop'])
const LATCHKEY_HEADER_PREFIXES = ['cf-', 'x-forwarded-']

export const proxyRoute = createRoute({
  method: 'get',
  path: '/v1/connections/{id}/proxy/{path}',
  tags: ['Proxy'],
  summary: "Calls the connector's API with the connection's authentication",
  description:
    "Any method but CONNECT and TRACE. `{path}` is the rest of the URL path (slashes included) relative to the connector's baseUri, and the query string is forwarded; headers and body are forwarded too, except Authorization, Latchkey-Tenant, Cookie and Cloudflare's client headers. A 401 from the API refreshes the credentials once and retries once. The provider's response comes back as it is (without Set-Cookie); Latchkey's own refusals are problem+json with a `code`.",
  ...guarded(API_OPERATIONS.proxy),
  request: {
    headers: TenantHeaders,
    params: ConnectionIdParams.extend({
      path: z.string().openapi({ param: { name: 'path', in: 'path' }, description: 'The path under the connector’s baseUri; may contain slashes.', example: 'user/repos' }),
    }),
  },
  responses: { default: { description: "The provider's response, as it is." }, ...problemResponses(404, 409, 502, 503) },
})

/** Documents the route for each common method and routes every method to it. */
export function registerProxyRoute(app: HttpApiApp): void {
  const { middleware: _middleware, ...definition } = proxyRoute
  for (const method of DOCUMENTED_METHODS) app.openAPIRegistry.registerPath({ ...definition, method, operationId: `${API_OPERATIONS.proxy.name}_${method}` })
  app.all(ROUTER_PATH, guard(API_OPERATIONS.proxy), async (c) => {
    const url = new URL(c.req.url)
    const rest = PROXY_PATH.exec(url.pathname)?.[1] ?? ''
    const method = c.req.method
    const response = await c.var.latchkey.proxy(tenantFromHeader(c.req.header(TENANT_HEADER)) ?? '', c.req.param('id'), {
      // Nothing after `/proxy/` is the baseUri itself (a discovered connection's resource, e.g. `/mcp`).
      path: `${rest === '/' ? '' : rest}${url.search}`,
      method,
      headers: forwardedHeaders(c.req.raw.headers),
      body: method === 'GET' || method === 'HEAD' ? null : c.req.raw.body,
    })
    return providerResponse(response)
  })
}

/** The caller's headers meant for the provider. */
function forwardedHeaders(headers: Headers): [string, string][] {
  return [...headers].filter(([name]) => !LATCHKEY_HEADERS.has(name) && !LATCHKEY_HEADER_PREFIXES.some((prefix) => name.startsWith(prefix)))
}

/** The provider's response with headers Latchkey may change (the security headers are added to every response). */
function providerResponse(response: Response): Response {
  const copy = new Response(response.body, response)
  copy.headers.delete('Set-Cookie')
  return copy
}
