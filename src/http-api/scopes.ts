/**
 * What an HTTP API key may do (S24): its scopes, and the one table of which scope each
 * operation needs. Scopes are independent: `connections:write` does not include
 * `connections:read`, and no scope reaches the refresh token (it never leaves Latchkey, S12).
 */

/** Every scope a key may be given, in the order the README lists them. */
export const API_SCOPES = ['connections:read', 'connections:write', 'tokens:read', 'proxy'] as const

/** One scope of an API key. */
export type ApiScope = (typeof API_SCOPES)[number]

/** Whether `value` names a scope. */
export function isApiScope(value: unknown): value is ApiScope {
  return typeof value === 'string' && (API_SCOPES as readonly string[]).includes(value)
}

/** An operation of the HTTP API: its name (the RPC method it mirrors, and its OpenAPI operationId) and what it needs. */
export interface ApiOperation {
  readonly name: string
  readonly scope: ApiScope
  /** Whether it acts on one tenant's connections, named by the `Latchkey-Tenant` header. */
  readonly tenant: boolean
}

/** Every operation and the scope it needs; the routes take their guard and their OpenAPI security from here. */
export const API_OPERATIONS = {
  listConnections: { name: 'listConnections', scope: 'connections:read', tenant: true },
  getConnection: { name: 'getConnection', scope: 'connections:read', tenant: true },
  createConnectUrl: { name: 'createConnectUrl', scope: 'connections:write', tenant: true },
  createConnection: { name: 'createConnection', scope: 'connections:write', tenant: true },
  refresh: { name: 'refresh', scope: 'connections:write', tenant: true },
  testConnection: { name: 'testConnection', scope: 'connections:write', tenant: true },
  disconnect: { name: 'disconnect', scope: 'connections:write', tenant: true },
  getAccessToken: { name: 'getAccessToken', scope: 'tokens:read', tenant: true },
  getCredentials: { name: 'getCredentials', scope: 'tokens:read', tenant: true },
  proxy: { name: 'proxy', scope: 'proxy', tenant: true },
  listConnectors: { name: 'listConnectors', scope: 'connections:read', tenant: false },
} as const satisfies Record<string, ApiOperation>
