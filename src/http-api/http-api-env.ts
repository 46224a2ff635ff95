/**
 * The Hono environment of the HTTP API's routes: the Worker bindings, the security-headers
 * variables (the API sits behind that middleware like every route), and what one call carries
 * from middleware to handler: its audit record, its verified key, and the operations it may run.
 */
import type { OpenAPIHono } from '@hono/zod-openapi'
import type { LatchkeyApi } from '../api/latchkey-api.ts'
import type { SecurityHeadersVariables } from '../http/security-headers.ts'
import type { ApiKey, ConfiguredApiKey } from './api-keys.ts'
import type { ApiCallRecord } from './audit-log.ts'

/** The LatchkeyService operations the routes call: the very implementation RPC callers reach. */
export type HttpApiOperations = Pick<
  LatchkeyApi,
  | 'listConnections'
  | 'getConnection'
  | 'createConnectUrl'
  | 'createConnection'
  | 'getAccessToken'
  | 'getCredentials'
  | 'refresh'
  | 'testConnection'
  | 'disconnect'
  | 'proxy'
  | 'listConnectors'
>

/** Per-call variables. */
export type HttpApiVariables = SecurityHeadersVariables & {
  /** Filled in as the call proceeds; written to the audit log when it is answered. */
  apiCall: ApiCallRecord
  /** The configured keys (the API is on when a route runs). */
  apiKeys: ReadonlyMap<string, ConfiguredApiKey>
  /** The verified key; set by the guard before any route handler runs. */
  apiKey: ApiKey
  /** The operations, bound to this request's environment. */
  latchkey: HttpApiOperations
}

/** `new OpenAPIHono<HttpApiEnv>()`, `Context<HttpApiEnv>`. */
export type HttpApiEnv = { Bindings: Env; Variables: HttpApiVariables }

/** The HTTP API's app. */
export type HttpApiApp = OpenAPIHono<HttpApiEnv>
