/**
 * The RPC surface of Latchkey's `LatchkeyService` entrypoint and the types of its arguments
 * and results, derived from the service's own declaration (types only: nothing of Latchkey's
 * source is bundled into a caller). When the service changes a signature, these change with
 * it, and test/client/service-types.test.ts fails to compile where the client no longer fits.
 */
import type { WorkerEntrypoint } from 'cloudflare:workers'
import type { LatchkeyService } from '../../../src/api/latchkey-service.ts'

type Service = LatchkeyService

/** Names of the RPC methods: the service's public methods, not what WorkerEntrypoint itself declares. */
export type LatchkeyRpcMethod = Exclude<{ [K in keyof Service]-?: Service[K] extends (...args: never[]) => unknown ? K : never }[keyof Service], keyof WorkerEntrypoint>

/** The RPC methods of `LatchkeyService`, as declared by the service. */
export type LatchkeyRpc = Pick<Service, LatchkeyRpcMethod>

type Result<M extends LatchkeyRpcMethod> = Awaited<ReturnType<Service[M]>>

/** A valid access token and its expiry (ms since epoch, `null` when the provider gave none). */
export type AccessToken = Result<'getAccessToken'>
/** Options of `getAccessToken`. */
export type AccessTokenOptions = NonNullable<Parameters<Service['getAccessToken']>[2]>
/** An API call as an object (the alternative to a Request): `path` relative to the connector's baseUri. */
export type ApiRequestInit = Exclude<Parameters<Service['proxy']>[2], Request>
/**
 * A connection as Latchkey reports it: no secrets. Times are ms since epoch. `accountLabel`
 * (an email, login or name to show) and `accountId` (the provider account, stable: one
 * connection per account and tenant) say who is connected; both are `null` when the provider
 * did not say (no id_token, a test that returns `true`) and for connections stored before.
 */
export type ConnectionSummary = Result<'getConnection'>
/** What `createConnectUrl` needs. */
export type ConnectUrlOptions = Parameters<Service['createConnectUrl']>[0]
/** A one-time connect URL and when it expires. */
export type ConnectUrl = Result<'createConnectUrl'>
/** What `createConnection` needs: credentials your application collected, for a client-credentials connector. */
export type CreateConnectionOptions = Parameters<Service['createConnection']>[0]
/**
 * A connector compiled into Latchkey and its readiness (`listConnectors`): `ready`, or the
 * Worker variables to set or fix (`problems`: `{ variable, code: 'missing' | 'invalid', message }`).
 */
export type ConnectorReadiness = Result<'listConnectors'>[number]
/** What `disconnect` did; the connection is deleted in every case. */
export type DisconnectResult = Result<'disconnect'>

/**
 * What `getApiClientConfig` returns: the connector's API client configuration (makeApiClient
 * evaluated with the connection's credentials: baseUri, headers with the Authorization,
 * query), the `version` of those credentials and `expiresAt`, when to ask again; or
 * `{ direct: false, reason }` when only Latchkey can send the connector's requests.
 */
export type DirectApiClientConfig = Result<'getApiClientConfig'>
