/**
 * Calling a connection object. Its Durable Object is named by the connection id (`conn_` + 26
 * base32 characters, src/connection-id.ts); `connectionStub` is the one way the flow, the
 * service and the tests call it: one method per RPC method of `ConnectionObject`, each
 * turning the error codes the object encoded for the trip back into LatchkeyErrors
 * (rpc-error.ts), so callers catch and compare `error.code` as if the call were local.
 */
import type { DurableObject } from 'cloudflare:workers'
import { isLatchkeyError } from '../errors.ts'
import type { ConnectionObject, DirectApiClientConfig } from './connection-object.ts'
import { fromRpcError } from './rpc-error.ts'

/** The RPC methods of `ConnectionObject` (every operation but the alarm, which only workerd calls). */
export type ConnectionStub = Pick<ConnectionObject, Exclude<keyof ConnectionObject, keyof DurableObject<Env>>>

/** The connection object of `connectionId`, with typed methods whose errors carry their codes. */
export function connectionStub(env: Env, connectionId: string): ConnectionStub {
  const stub = env.CONNECTIONS.get(env.CONNECTIONS.idFromName(connectionId))
  return {
    storeAuthorizedConnection: (input) => decoded(() => stub.storeAuthorizedConnection(input)),
    createTestedConnection: (input) => decoded(() => stub.createTestedConnection(input)),
    getSummary: (tenant) => decoded(() => stub.getSummary(tenant)),
    getConnectionInput: (tenant) => decoded(() => stub.getConnectionInput(tenant)),
    getReconnectScopes: (tenant) => decoded(() => stub.getReconnectScopes(tenant)),
    testConnection: (tenant) => decoded(() => stub.testConnection(tenant)),
    getAccessToken: (tenant, options) => decoded(() => stub.getAccessToken(tenant, options)),
    getCredentials: (tenant) => decoded(() => stub.getCredentials(tenant)),
    refresh: (tenant) => decoded(() => stub.refresh(tenant)),
    proxy: (tenant, call) => decoded(() => stub.proxy(tenant, call)),
    // A union crosses RPC as a union of wrapped members, which TypeScript cannot fold back.
    getApiClientConfig: (tenant) => decoded(() => stub.getApiClientConfig(tenant) as Promise<DirectApiClientConfig>),
    refreshApiClientConfig: (tenant, rejectedVersion) => decoded(() => stub.refreshApiClientConfig(tenant, rejectedVersion) as Promise<DirectApiClientConfig>),
    disconnect: (tenant) => decoded(() => stub.disconnect(tenant)),
  }
}

/**
 * For callers to whom a missing connection is an answer, not a failure (a listing racing a
 * deletion, the reconnect check): `.catch(notFoundAsNull)` turns `connection_not_found` into
 * `null` and rethrows anything else.
 */
export function notFoundAsNull(error: unknown): null {
  if (isLatchkeyError(error) && error.code === 'connection_not_found') return null
  throw error
}

/** Awaits an RPC call and rethrows its error as the LatchkeyError it was encoded from. */
async function decoded<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (error) {
    throw fromRpcError(error)
  }
}
