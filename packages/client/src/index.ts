/**
 * @latchkey/client: the typed client for Latchkey's RPC entrypoint (`LatchkeyService`),
 * for Workers that bind to Latchkey. No runtime dependencies. See README.md.
 */
export { LatchkeyClient, DEFAULT_CACHE_TTL_MS, DEFAULT_MAX_CACHE_ENTRIES, REFRESH_MARGIN_MS, type LatchkeyBinding, type LatchkeyClientOptions } from './client.ts'
export { LatchkeyClientError, isLatchkeyClientError, toLatchkeyClientError, type LatchkeyErrorCode } from './errors.ts'
export type {
  AccessToken,
  AccessTokenOptions,
  ApiRequestInit,
  ConnectionSummary,
  ConnectorReadiness,
  ConnectUrl,
  ConnectUrlOptions,
  CreateConnectionOptions,
  DirectApiClientConfig,
  DisconnectResult,
  LatchkeyRpc,
  LatchkeyRpcMethod,
} from './service-types.ts'
