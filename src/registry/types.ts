/**
 * Shapes of the compiled connector registry: what `scripts/compile-connectors.ts` writes to
 * `src/registry/generated/registry.json` and what the Worker reads at run time.
 */
import type { MappingNode } from '../formula/index.ts'

/** Methods an oauth2 connector may implement, under the names the Worker uses. */
export const OAUTH2_METHODS = [
  'getOAuthConfig',
  'makeApiClient',
  'test',
  'getTokenData',
  'getCredentialsFromAccessTokenResponse',
  'getCredentialsFromRefreshTokenResponse',
  'refreshCredentials',
  'disconnect',
] as const

export type MethodName = (typeof OAUTH2_METHODS)[number]

/**
 * Methods the build refuses to compile an oauth2 connector without. `test` is not one: real
 * exported specs (Google Drive) have none, and a connection without it is reported connected
 * unchecked (the build warns).
 */
export const REQUIRED_OAUTH2_METHODS: readonly MethodName[] = ['getOAuthConfig', 'makeApiClient']

/**
 * A method after compilation. Mappings are stored pre-parsed; JavaScript methods are
 * referenced by `moduleId`, the key under which `generated/methods.ts` exports them.
 * `source` is the file (or `spec.yml#auth.<method>`) the method came from, for messages.
 */
export type CompiledMethod =
  | { implementationType: 'mapping'; mapping: MappingNode; source: string }
  | { implementationType: 'javascript'; moduleId: string; source: string }
  | ({ implementationType: 'rest-api-mapping'; source: string } & CompiledRestApiRequest)

/**
 * A `rest-api-mapping` method (Membrane's newer type): one request through the connection's
 * API client, its result shaped by `responseMapping`. Every part is a pre-parsed mapping
 * evaluated with the method's arguments (`credentials`, `connectorParameters`,
 * `connectionInput`, ...); `responseMapping` also sees `response` (`data`, `headers`,
 * `statusCode`). Without a responseMapping the result is the response body.
 */
export interface CompiledRestApiRequest {
  /** Evaluates to a path relative to baseUri (or an absolute URL); `{name}` is replaced from pathParameters. */
  path: MappingNode
  /** Upper-case HTTP method; GET when the file says none. */
  method: string
  /** Evaluates to `{query?, headers?, data?, pathParameters?}`. */
  requestMapping: MappingNode | null
  responseMapping: MappingNode | null
}

/** A JSON Schema object, as written in spec.yml. */
export type JsonSchema = Record<string, unknown>

export interface CompiledConnector {
  /** Folder name under connectors/, kebab-case. */
  key: string
  name: string
  logoUri?: string
  parametersSchema?: JsonSchema
  auth: {
    type: 'oauth2'
    title?: string
    description?: string
    inputSchema?: JsonSchema
    credentialsSchema?: JsonSchema
    methods: Partial<Record<MethodName, CompiledMethod>>
  }
}

export interface CompiledRegistry {
  formatVersion: 1
  /** Keyed by connector key, sorted by key. */
  connectors: Record<string, CompiledConnector>
}

/** A custom JavaScript method: receives one argument object, may be async. */
export type ConnectorMethod = (args: Record<string, unknown>) => unknown
