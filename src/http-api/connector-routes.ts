/**
 * `GET /v1/connectors`: every compiled connector and whether it can run
 * (LatchkeyService.listConnectors). Operator information, the same for every tenant, so it
 * takes no tenant header; it needs `connections:read` and names variables, never their values.
 */
import { createRoute, z } from '@hono/zod-openapi'
import { guarded } from './access-guard.ts'
import type { HttpApiApp } from './http-api-env.ts'
import { ConnectorSchema, jsonContent, problemResponses } from './schemas.ts'
import { API_OPERATIONS } from './scopes.ts'

export const listConnectorsRoute = createRoute({
  method: 'get',
  path: '/v1/connectors',
  tags: ['Connectors'],
  summary: 'Every compiled connector, sorted by key, and whether its parameters let connections start',
  ...guarded(API_OPERATIONS.listConnectors),
  responses: { 200: jsonContent(z.array(ConnectorSchema), 'The connectors.'), ...problemResponses() },
})

/** Registers the route above on `app`. */
export function registerConnectorRoutes(app: HttpApiApp): void {
  app.openapi(listConnectorsRoute, async (c) => c.json(await c.var.latchkey.listConnectors(), 200))
}
