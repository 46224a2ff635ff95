/**
 * The client's types against the service's (compiled by `npm run typecheck`; vitest runs the
 * file too, where the checks cost nothing). Every RPC method of `LatchkeyService` must be a
 * method of `LatchkeyClient` with the same parameters and result: a method added to the
 * service, or a signature changed on either side, fails to compile here.
 */
import { describe, expectTypeOf, it } from 'vitest'
import type {
  LatchkeyClient,
  AccessToken,
  ApiRequestInit,
  ConnectionSummary,
  ConnectorReadiness,
  ConnectUrlOptions,
  CreateConnectionOptions,
  DirectApiClientConfig,
  DisconnectResult,
  LatchkeyRpcMethod,
} from '@latchkey/client'
import type { LatchkeyService } from '../../src/api/latchkey-service.ts'
import type { AccessToken as ServiceAccessToken, ConnectionSummary as ServiceSummary, DisconnectResult as ServiceDisconnect } from '../../src/connection/connection-object.ts'
import type {
  ApiRequestInit as ServiceApiRequestInit,
  ConnectorReadiness as ServiceConnectorReadiness,
  ConnectUrlOptions as ServiceConnectUrlOptions,
  CreateConnectionOptions as ServiceCreateOptions,
  DirectApiClientConfig as ServiceDirectApiClientConfig,
} from '../../src/api/latchkey-service.ts'

/** Exactly equal types (not merely assignable either way). */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false

/** RPC methods whose parameters or result differ between the service and the client (must be none). */
type Drifted = {
  [K in LatchkeyRpcMethod]: Equal<Parameters<LatchkeyClient[K]>, Parameters<LatchkeyService[K]>> extends true
    ? Equal<Awaited<ReturnType<LatchkeyClient[K]>>, Awaited<ReturnType<LatchkeyService[K]>>> extends true
      ? never
      : K
    : K
}[LatchkeyRpcMethod]

describe('client types', () => {
  it('covers every RPC method of LatchkeyService with its exact signature', () => {
    // On drift this fails with "Expected 1 arguments, but got 0": `Drifted` names the methods.
    expectTypeOf<Drifted>().toEqualTypeOf<never>()
    expectTypeOf<LatchkeyRpcMethod>().toEqualTypeOf<
      | 'getAccessToken'
      | 'getCredentials'
      | 'proxy'
      | 'createConnectUrl'
      | 'createConnection'
      | 'confirmUserVerification'
      | 'getConnection'
      | 'listConnections'
      | 'listConnectors'
      | 'refresh'
      | 'testConnection'
      | 'disconnect'
      | 'getApiClientConfig'
      | 'refreshApiClientConfig'
    >()
  })

  it("exports the service's own types, not copies", () => {
    expectTypeOf<AccessToken>().toEqualTypeOf<ServiceAccessToken>()
    expectTypeOf<ConnectionSummary>().toEqualTypeOf<ServiceSummary>()
    expectTypeOf<DisconnectResult>().toEqualTypeOf<ServiceDisconnect>()
    expectTypeOf<ApiRequestInit>().toEqualTypeOf<ServiceApiRequestInit>()
    expectTypeOf<ConnectUrlOptions>().toEqualTypeOf<ServiceConnectUrlOptions>()
    expectTypeOf<CreateConnectionOptions>().toEqualTypeOf<ServiceCreateOptions>()
    expectTypeOf<DirectApiClientConfig>().toEqualTypeOf<ServiceDirectApiClientConfig>()
    expectTypeOf<ConnectorReadiness>().toEqualTypeOf<ServiceConnectorReadiness>()
  })
})
