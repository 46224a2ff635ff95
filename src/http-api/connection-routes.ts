/**
 * The connection routes of the HTTP API, one per LatchkeyService method: list, get, create
 * (typed credentials), refresh, test and disconnect. Each is guarded (access-guard.ts) before
 * its request is validated, and answers what the RPC method returns.
 */
import { createRoute } from '@hono/zod-openapi'
import { guarded } from './access-guard.ts'
import type { HttpApiApp } from './http-api-env.ts'
import {
  ConnectionIdParams,
  ConnectionPageSchema,
  ConnectionSummarySchema,
  CreateConnectionBody,
  DisconnectResultSchema,
  jsonBody,
  jsonContent,
  ListConnectionsQuery,
  problemResponses,
} from './schemas.ts'
import { API_OPERATIONS } from './scopes.ts'
import { TenantHeaders } from './tenant-header.ts'

const TAG = 'Connections'

export const listConnectionsRoute = createRoute({
  method: 'get',
  path: '/v1/connections',
  tags: [TAG],
  summary: "A page of the tenant's connections, ordered by id",
  ...guarded(API_OPERATIONS.listConnections),
  request: { headers: TenantHeaders, query: ListConnectionsQuery },
  responses: { 200: jsonContent(ConnectionPageSchema, 'One page; `nextCursor` is null on the last one.'), ...problemResponses() },
})

export const getConnectionRoute = createRoute({
  method: 'get',
  path: '/v1/connections/{id}',
  tags: [TAG],
  summary: "The connection's status, errors and times; no secrets",
  ...guarded(API_OPERATIONS.getConnection),
  request: { headers: TenantHeaders, params: ConnectionIdParams },
  responses: { 200: jsonContent(ConnectionSummarySchema, 'The connection.'), ...problemResponses(404) },
})

export const createConnectionRoute = createRoute({
  method: 'post',
  path: '/v1/connections',
  tags: [TAG],
  summary: 'A connection from credentials the application collected (client-credentials connectors)',
  description:
    "`connectionInput` is validated against the connector's inputSchema and the connector's test runs; the connection is stored only when it passes (`credentials_rejected` otherwise). Pass `connectionId` to give an existing connection new credentials.",
  ...guarded(API_OPERATIONS.createConnection),
  request: { headers: TenantHeaders, body: jsonBody(CreateConnectionBody) },
  responses: {
    200: jsonContent(ConnectionSummarySchema, 'The existing connection `connectionId` named, with its new credentials.'),
    201: jsonContent(ConnectionSummarySchema, 'The new connection.'),
    ...problemResponses(404, 502),
  },
})

export const refreshRoute = createRoute({
  method: 'post',
  path: '/v1/connections/{id}/refresh',
  tags: [TAG],
  summary: 'Refreshes the credentials now (joins a refresh already running)',
  ...guarded(API_OPERATIONS.refresh),
  request: { headers: TenantHeaders, params: ConnectionIdParams },
  responses: { 200: jsonContent(ConnectionSummarySchema, 'The connection after the refresh.'), ...problemResponses(404, 409, 502, 503) },
})

export const testConnectionRoute = createRoute({
  method: 'post',
  path: '/v1/connections/{id}/test',
  tags: [TAG],
  summary: "Runs the connector's test; a failed test sets status `error`",
  ...guarded(API_OPERATIONS.testConnection),
  request: { headers: TenantHeaders, params: ConnectionIdParams },
  responses: { 200: jsonContent(ConnectionSummarySchema, 'The connection with its `testResult`.'), ...problemResponses(404, 409, 502, 503) },
})

export const disconnectRoute = createRoute({
  method: 'delete',
  path: '/v1/connections/{id}',
  tags: [TAG],
  summary: "Runs the connector's disconnect method (best effort), then deletes the connection and its credentials",
  ...guarded(API_OPERATIONS.disconnect),
  request: { headers: TenantHeaders, params: ConnectionIdParams },
  responses: { 200: jsonContent(DisconnectResultSchema, 'The connection is deleted.'), ...problemResponses(404) },
})

/** Registers the routes above on `app`. */
export function registerConnectionRoutes(app: HttpApiApp): void {
  app.openapi(listConnectionsRoute, async (c) => {
    const { cursor, limit } = c.req.valid('query')
    const options = { ...(cursor === undefined ? {} : { cursor }), ...(limit === undefined ? {} : { limit: Number(limit) }) }
    return c.json(await c.var.latchkey.listConnections(c.req.valid('header')['latchkey-tenant'], options), 200)
  })
  app.openapi(getConnectionRoute, async (c) => c.json(await c.var.latchkey.getConnection(c.req.valid('header')['latchkey-tenant'], c.req.valid('param').id), 200))
  app.openapi(createConnectionRoute, async (c) => {
    const body = c.req.valid('json')
    const summary = await c.var.latchkey.createConnection({ ...body, tenant: c.req.valid('header')['latchkey-tenant'] })
    if (body.connectionId !== undefined) return c.json(summary, 200)
    return c.json(summary, 201, { Location: `/v1/connections/${summary.connectionId}` })
  })
  app.openapi(refreshRoute, async (c) => c.json(await c.var.latchkey.refresh(c.req.valid('header')['latchkey-tenant'], c.req.valid('param').id), 200))
  app.openapi(testConnectionRoute, async (c) => c.json(await c.var.latchkey.testConnection(c.req.valid('header')['latchkey-tenant'], c.req.valid('param').id), 200))
  app.openapi(disconnectRoute, async (c) => c.json(await c.var.latchkey.disconnect(c.req.valid('header')['latchkey-tenant'], c.req.valid('param').id), 200))
}
