/**
 * Connector code run against one connection: the API client engine wired to the connection
 * (its makeApiClient, its single-flight refresh, its defunct transition), and the connector's
 * `test` and `disconnect` methods, which get that API client. The connection object owns the
 * state; what it lends for a call is a `ConnectionAccess`.
 */
import { LatchkeyError, isLatchkeyError } from '../errors.ts'
import { connectorContext, type ConnectorContext } from '../registry/connector-context.ts'
import { hasMethod, runMethod } from '../registry/registry.ts'
import type { CompiledConnector } from '../registry/types.ts'
import type { Settings } from '../settings.ts'
import { createApiClient } from './api-client.ts'
import { resolveApiClient, type ResolvedApiClient } from './api-client-config.ts'
import { splitTypedInput } from '../flow/typed-input.ts'
import { accountFromTestResult, type ConnectionAccount } from './connection-account.ts'
import type { ConnectionTestResult } from './connection-record.ts'
import { oauth1RequestSigner } from './oauth1-request-signer.ts'
import { sendApiCall, type ApiCallContext } from './send-api-call.ts'

type Credentials = Record<string, unknown>

/** What connector code running for a connection may use of the connection object. */
export interface ConnectionAccess {
  settings: Settings
  /** The connector as this connection runs it (its auth option applied); `undefined` when the build no longer has it. */
  connector: CompiledConnector | undefined
  /** What connector methods see as the connection input: the stored input with the secret fields typed by the user. */
  connectionInput: Record<string, unknown>
  /** Valid credentials (refreshed first when due); throws the connection's typed error otherwise. */
  validCredentials(): Promise<Credentials>
  /** The single-flight refresh after the API refused `rejected`; returns them unchanged when nothing could be refreshed. */
  refreshRejected(rejected: Credentials): Promise<Credentials>
  /** A response handler said `connection_is_defunct`. */
  markDefunct(): Promise<void>
  now(): number
}

/** What the connector's disconnect method did. */
export type ConnectorDisconnect = 'absent' | 'succeeded' | 'failed'

/**
 * What the API client engine needs for calls of this connection: makeApiClient over
 * `context` per set of credentials (the first one already resolved when `resolved` is given),
 * the single-flight refresh, and the defunct transition.
 */
export function apiCallContext(
  access: ConnectionAccess,
  connector: CompiledConnector,
  context: ConnectorContext,
  credentials: Credentials,
  resolved: ResolvedApiClient | null,
): ApiCallContext {
  const { settings } = access
  let known = resolved === null ? null : { credentials, resolved }
  return {
    credentials,
    resolve: async (current) => {
      if (known?.credentials === current) return known.resolved
      known = { credentials: current, resolved: await resolveApiClient(connector, settings, context, current) }
      return known.resolved
    },
    refresh: (rejected) => access.refreshRejected(rejected),
    markDefunct: () => access.markDefunct(),
    sign: oauth1RequestSigner(connector, settings, context),
    rateLimit: settings.apiRetry,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    random: Math.random,
    now: access.now,
  }
}

/** What the connector's test said: passed or failed, and the account an object result names (connection-account.ts). */
export interface TestOutcome {
  testResult: ConnectionTestResult
  /** Without any value that contains a secret of the connection; `null` when the result names none (or is not an object). */
  account: ConnectionAccount | null
}

/**
 * Runs the connector's `test` with valid credentials and the evaluated makeApiClient as
 * `apiClient`. A typed failure (refresh refused, API error, connector error) is a failed
 * result, not an exception; a connector without a test passes. A truthy result passes, as the
 * format says; when it is an object (the API's user), the account it names comes back too.
 */
export async function runTestMethod(access: ConnectionAccess, connectorKey: string): Promise<TestOutcome> {
  const { settings, connector } = access
  try {
    if (connector === undefined)
      throw new LatchkeyError('connector_not_found', `Connector "${connectorKey}" (or the auth option of this connection) is no longer compiled into this Worker.`)
    // Real exported specs may have no test (the build warns): nothing to check.
    if (!hasMethod(connector, 'test')) return { testResult: { ok: true, at: access.now() }, account: null }
    const credentials = await access.validCredentials()
    const context = connectorContext(connector, settings, access.connectionInput)
    const apiClient = await methodApiClient(access, connector, context, credentials)
    const passed = await runMethod(connector, 'test', { ...context, credentials, apiClient, externalApiClient: apiClient })
    if (!passed) {
      return {
        testResult: { ok: false, code: 'connection_test_failed', message: `The test of connector "${connector.key}" returned a falsy value.`, at: access.now() },
        account: null,
      }
    }
    const account = accountFromTestResult(passed, connectionSecrets(connector, context, credentials))
    return { testResult: { ok: true, at: access.now() }, account }
  } catch (error) {
    if (!isLatchkeyError(error)) throw error
    return { testResult: { ok: false, code: error.code, message: error.message, at: access.now() }, account: null }
  }
}

/**
 * Every secret value a connector method of this connection could echo: the credentials, the
 * secret fields of the connection input (typed-input.ts), and the connector's secret parameters
 * (a client secret). What an account label or id must never contain. A credential that is a
 * public field of the input (typed credentials are the input by default: an email, a
 * subdomain) is no secret: it is stored in the clear, and the label may well be that email.
 */
export function connectionSecrets(connector: CompiledConnector, context: ConnectorContext, credentials: Credentials): string[] {
  const { publicInput, secretInput } = splitTypedInput(connector.auth.inputSchema, context.connectionInput)
  const secretParameters = splitTypedInput(connector.parametersSchema, context.connectorParameters).secretInput
  const publicValues = new Set(Object.values(publicInput))
  const credentialSecrets = secretValues(credentials).filter((value) => !publicValues.has(value))
  return [...credentialSecrets, ...secretValues(secretInput), ...secretValues(secretParameters)]
}

/**
 * Runs the connector's disconnect method (e.g. token revocation) with `credentials` as they
 * are stored: best effort, a failure is logged and reported, never thrown.
 */
export async function runDisconnectMethod(access: ConnectionAccess, credentials: Credentials | null): Promise<ConnectorDisconnect> {
  const { settings, connector } = access
  if (!connector || !hasMethod(connector, 'disconnect') || credentials === null) return 'absent'
  try {
    const context = connectorContext(connector, settings, access.connectionInput)
    const apiClient = await methodApiClient(access, connector, context, credentials)
    await runMethod(connector, 'disconnect', { ...context, credentials, apiClient, externalApiClient: apiClient })
    return 'succeeded'
  } catch (error) {
    if (!isLatchkeyError(error)) throw error
    console.warn(`latchkey: disconnect method of connector "${connector.key}" failed (${error.code}); deleting the connection anyway.`)
    return 'failed'
  }
}

/**
 * The API client object for a connector method (test, disconnect): a ready client from a
 * JavaScript makeApiClient as it is, otherwise Membrane's client over the engine.
 */
async function methodApiClient(access: ConnectionAccess, connector: CompiledConnector, context: ConnectorContext, credentials: Credentials): Promise<object> {
  const resolved = await resolveApiClient(connector, access.settings, context, credentials)
  if (resolved.kind === 'client') return resolved.client
  const engine = apiCallContext(access, connector, context, credentials, resolved)
  const { headers, auth } = resolved.config
  const secrets = [...secretValues(credentials), headers['Authorization'] ?? '', auth?.password ?? '']
  return createApiClient(resolved.config, (call) => sendApiCall(call, 'data', engine), secrets)
}

/** String values of the credentials long enough to be tokens or secrets, to mask in API client errors. */
function secretValues(credentials: Credentials): string[] {
  return Object.values(credentials).filter((value): value is string => typeof value === 'string' && value.length >= 8)
}
