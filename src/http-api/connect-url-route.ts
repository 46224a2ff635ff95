/**
 * `POST /v1/connect-urls`: a one-time URL that starts the connect flow in the user's browser
 * for the tenant of the `Latchkey-Tenant` header (LatchkeyService.createConnectUrl).
 */
import { createRoute } from '@hono/zod-openapi'
import { guarded } from './access-guard.ts'
import type { HttpApiApp } from './http-api-env.ts'
import { ConnectUrlSchema, CreateConnectUrlBody, jsonBody, jsonContent, problemResponses } from './schemas.ts'
import { API_OPERATIONS } from './scopes.ts'
import { TenantHeaders } from './tenant-header.ts'

export const createConnectUrlRoute = createRoute({
  method: 'post',
  path: '/v1/connect-urls',
  tags: ['Connections'],
  summary: 'A one-time URL (valid 10 minutes) that starts the connect flow',
  description:
    'Pass `connectionId` to reconnect an existing connection (its stored connection input is reused unless `connectionInput` is given), and `displayName` to have the start say whose account the connection lands in (S21).',
  ...guarded(API_OPERATIONS.createConnectUrl),
  request: { headers: TenantHeaders, body: jsonBody(CreateConnectUrlBody) },
  responses: { 200: jsonContent(ConnectUrlSchema, 'The URL to send the user to.'), ...problemResponses(404, 500) },
})

/** Registers the route above on `app`. */
export function registerConnectUrlRoute(app: HttpApiApp): void {
  app.openapi(createConnectUrlRoute, async (c) => c.json(await c.var.latchkey.createConnectUrl({ ...c.req.valid('json'), tenant: c.req.valid('header')['latchkey-tenant'] }), 200))
}
