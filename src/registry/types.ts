/**
 * Shapes of the compiled connector registry: the connectors `scripts/compile-connectors.ts`
 * compiles and the Worker runs (their encoding in `generated/registry.json`: serialized-registry.ts).
 */
import type { MappingNode } from '../formula/index.ts'

/** Auth types Latchkey runs (connector-format.md "Other auth types of the format"). */
export const AUTH_TYPES = ['oauth2', 'client-credentials', 'oauth1', 'oauth2-discovered'] as const

export type AuthType = (typeof AUTH_TYPES)[number]

/** Every method an auth block may implement, under the names the Worker uses. */
export const AUTH_METHODS = [
  'getOAuthConfig',
  'makeApiClient',
  'test',
  'getTokenData',
  'getCredentialsFromAccessTokenResponse',
  'getCredentialsFromRefreshTokenResponse',
  'getCredentialsFromConnectionParameters',
  'refreshCredentials',
  'disconnect',
] as const

export type MethodName = (typeof AUTH_METHODS)[number]

/**
 * The methods each auth type may implement. oauth1 has no refresh: its access tokens do not
 * expire (RFC 5849); client-credentials refreshes only through its own refreshCredentials (an
 * OAuth2 client-credentials grant is written that way).
 */
export const METHODS_BY_AUTH_TYPE: Readonly<Record<AuthType, readonly MethodName[]>> = {
  // Every method but the one that makes credentials from typed input.
  oauth2: AUTH_METHODS.filter((method) => method !== 'getCredentialsFromConnectionParameters'),
  'client-credentials': ['getCredentialsFromConnectionParameters', 'makeApiClient', 'test', 'refreshCredentials', 'disconnect'],
  oauth1: ['getOAuthConfig', 'makeApiClient', 'test', 'getCredentialsFromAccessTokenResponse', 'disconnect'],
  // OAuth2 whose endpoints and client come from the resource itself (src/discovery/, issue #17):
  // Latchkey discovers, registers, exchanges and refreshes; the spec says how to call the API.
  'oauth2-discovered': ['makeApiClient', 'test', 'disconnect'],
}

/**
 * Methods the build refuses to compile an auth block without. `test` is not one: real
 * exported specs (Google Drive) have none, and a connection without it is reported connected
 * unchecked (the build warns).
 */
export const REQUIRED_METHODS: Readonly<Record<AuthType, readonly MethodName[]>> = {
  oauth2: ['getOAuthConfig', 'makeApiClient'],
  'client-credentials': ['makeApiClient'],
  oauth1: ['getOAuthConfig', 'makeApiClient'],
  'oauth2-discovered': ['makeApiClient'],
}

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

/** One way to connect: an auth type with its form, its methods and what it stores. */
export interface CompiledAuth {
  type: AuthType
  title?: string
  description?: string
  /** What the user enters when connecting (the form of a client-credentials connection). */
  inputSchema?: JsonSchema
  credentialsSchema?: JsonSchema
  methods: Partial<Record<MethodName, CompiledMethod>>
}

export interface CompiledConnector {
  /** Folder name under connectors/, kebab-case. */
  key: string
  name: string
  logoUri?: string
  parametersSchema?: JsonSchema
  /**
   * The connector's auth. With `options` (several ways to connect), each option is complete:
   * the build merged the methods set at the `auth` level into every option that does not set its
   * own, and a connection runs one option (`connectorWithAuthOption`, auth-option.ts); the
   * top-level `type` and methods are then never run on their own.
   */
  auth: CompiledAuth & {
    /** Keyed by option key, in spec order. */
    options?: Record<string, CompiledAuth>
  }
}

/** A custom JavaScript method: receives one argument object, may be async. */
export type ConnectorMethod = (args: Record<string, unknown>) => unknown
