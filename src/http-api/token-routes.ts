/**
 * The token routes of the HTTP API (scope `tokens:read`): the access token, and the stored
 * credentials without the refresh token, which never leaves Latchkey (S12). Their answers
 * carry secrets, so they are never cached: the security-headers middleware sends
 * `Cache-Control: no-store` on every response (S24).
 */
import { createRoute } from '@hono/zod-openapi'
import { guarded } from './access-guard.ts'
import type { HttpApiApp } from './http-api-env.ts'
import { AccessTokenQuery, AccessTokenSchema, ConnectionIdParams, CredentialsSchema, jsonContent, problemResponses } from './schemas.ts'
import { API_OPERATIONS } from './scopes.ts'
import { TenantHeaders } from './tenant-header.ts'

const TAG = 'Tokens'

export const getAccessTokenRoute = createRoute({
  method: 'get',
  path: '/v1/connections/{id}/access-token',
  tags: [TAG],
  summary: 'A valid access token (refreshed first when it expires soon) and its expiry',
  ...guarded(API_OPERATIONS.getAccessToken),
  request: { headers: TenantHeaders, params: ConnectionIdParams, query: AccessTokenQuery },
  responses: { 200: jsonContent(AccessTokenSchema, 'The access token; `Cache-Control: no-store`.'), ...problemResponses(404, 409, 502, 503) },
})

export const getCredentialsRoute = createRoute({
  method: 'get',
  path: '/v1/connections/{id}/credentials',
  tags: [TAG],
  summary: 'The stored credentials, refreshed when due, without the refresh token',
  ...guarded(API_OPERATIONS.getCredentials),
  request: { headers: TenantHeaders, params: ConnectionIdParams },
  responses: { 200: jsonContent(CredentialsSchema, 'The credentials; `Cache-Control: no-store`.'), ...problemResponses(404, 409, 502, 503) },
})

/** Registers the routes above on `app`. */
export function registerTokenRoutes(app: HttpApiApp): void {
  app.openapi(getAccessTokenRoute, async (c) => {
    const forceRefresh = c.req.valid('query').forceRefresh === 'true'
    return c.json(await c.var.latchkey.getAccessToken(c.req.valid('header')['latchkey-tenant'], c.req.valid('param').id, { forceRefresh }), 200)
  })
  app.openapi(getCredentialsRoute, async (c) => c.json(await c.var.latchkey.getCredentials(c.req.valid('header')['latchkey-tenant'], c.req.valid('param').id), 200))
}
