/**
 * Every operation route of the HTTP API as a test table: method, path for a connection id,
 * the scope it needs, and a request body that would succeed. The S24 refusal table and the S14
 * route inventory walk it, so a route added to the API without a row here fails those tests.
 */
import type { TestScope } from './api-key-fixtures.ts'

/** One route of the table. */
export interface ApiRoute {
  /** The OpenAPI operationId. */
  operation: string
  method: string
  /** The request path for `connectionId` (routes without one ignore it). */
  path: (connectionId: string) => string
  scope: TestScope
  /** Whether it addresses one connection by id. */
  byId: boolean
  /** Whether it acts for the tenant of the Latchkey-Tenant header (all but the connector list). */
  tenant: boolean
  /** A JSON body the route accepts. */
  json?: (scenarioId: string) => unknown
}

export const API_ROUTES: readonly ApiRoute[] = [
  { operation: 'listConnections', method: 'GET', path: () => '/v1/connections', scope: 'connections:read', byId: false, tenant: true },
  { operation: 'getConnection', method: 'GET', path: (id) => `/v1/connections/${id}`, scope: 'connections:read', byId: true, tenant: true },
  {
    operation: 'createConnectUrl',
    method: 'POST',
    path: () => '/v1/connect-urls',
    scope: 'connections:write',
    byId: false,
    tenant: true,
    json: (scenario) => ({ connectorKey: 'test-oauth', connectionInput: { scenario } }),
  },
  {
    operation: 'createConnection',
    method: 'POST',
    path: () => '/v1/connections',
    scope: 'connections:write',
    byId: false,
    tenant: true,
    json: (scenario) => ({ connectorKey: 'test-api-key', connectionInput: { scenario, region: 'eu', apiKey: 'not-checked-before-the-guard' } }),
  },
  { operation: 'getAccessToken', method: 'GET', path: (id) => `/v1/connections/${id}/access-token`, scope: 'tokens:read', byId: true, tenant: true },
  { operation: 'getCredentials', method: 'GET', path: (id) => `/v1/connections/${id}/credentials`, scope: 'tokens:read', byId: true, tenant: true },
  { operation: 'refresh', method: 'POST', path: (id) => `/v1/connections/${id}/refresh`, scope: 'connections:write', byId: true, tenant: true },
  { operation: 'testConnection', method: 'POST', path: (id) => `/v1/connections/${id}/test`, scope: 'connections:write', byId: true, tenant: true },
  { operation: 'disconnect', method: 'DELETE', path: (id) => `/v1/connections/${id}`, scope: 'connections:write', byId: true, tenant: true },
  { operation: 'proxy', method: 'GET', path: (id) => `/v1/connections/${id}/proxy/me`, scope: 'proxy', byId: true, tenant: true },
  { operation: 'proxy', method: 'POST', path: (id) => `/v1/connections/${id}/proxy/notes`, scope: 'proxy', byId: true, tenant: true, json: () => ({ note: 'hello' }) },
  { operation: 'listConnectors', method: 'GET', path: () => '/v1/connectors', scope: 'connections:read', byId: false, tenant: false },
]

/** `METHOD /path` of a route, for test names. */
export function routeLabel(route: ApiRoute): string {
  return `${route.method} ${route.path('{id}')}`
}
