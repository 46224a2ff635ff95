/**
 * The implementation behind `LatchkeyService`: checks what callers pass, finds the
 * connection object (or the tenant directory) and calls it. Every connection call names
 * the tenant, and the connection object refuses other tenants, so a caller only ever
 * reaches connections of the tenant it names.
 */
import { LatchkeyError } from '../errors.ts'
import { readApiCall, type ApiRequestInit } from '../connection/api-request.ts'
import { MAX_TENANT_LENGTH } from '../connection/authorized-connection.ts'
import type { AccessToken, ConnectionSummary, DirectApiClientConfig, DisconnectResult } from '../connection/connection-object.ts'
import { connectionStub, type ConnectionStub } from '../connection/connection-stub.ts'
import { listConnectionPage, type ConnectionPage, type ListConnectionsOptions } from '../connection/connection-listing.ts'
import { createConnectUrl, type ConnectUrlOptions } from '../flow/connect-url.ts'
import { assertReconnectable, connectWithTypedInput } from '../flow/connection-handoff.ts'
import { newConnectionId } from '../connection-id.ts'
import { confirmUserVerification } from '../flow/user-verification.ts'
import { connectorsHealth, type ConnectorHealth } from '../registry/connector-health.ts'
import { readSettings } from '../settings.ts'
import { isConnectionId } from '../connection-id.ts'

/** Options of `getAccessToken`. */
export interface AccessTokenOptions {
  /** Refresh even if the token is not due yet (e.g. the API rejected it in a way Latchkey cannot see). */
  forceRefresh?: boolean
}

/** What `createConnection` needs: a client-credentials connection from input the application collected. */
export interface CreateConnectionOptions {
  tenant: string
  connectorKey: string
  /** For connectors with several ways to connect: which option (a client-credentials one). */
  authOption?: string
  /** Everything the connector's inputSchema asks for, secrets included (they never leave Latchkey again). */
  connectionInput: Record<string, unknown>
  /** An existing connection of this tenant and connector to give new credentials. */
  connectionId?: string
}

/**
 * A compiled connector as operators see it: whether its parameters let it run, and each
 * Worker variable to set (`missing`) or fix (`invalid`) when they do not. Never a value.
 */
export type ConnectorReadiness = ConnectorHealth

/** Implementation of every `LatchkeyService` method. */
export class LatchkeyApi {
  readonly #env: Env

  constructor(env: Env) {
    this.#env = env
  }

  /** See `LatchkeyService.getAccessToken`. */
  getAccessToken(tenant: string, connectionId: string, options: AccessTokenOptions = {}): Promise<AccessToken> {
    const forceRefresh = options.forceRefresh === true
    return this.#call(tenant, connectionId, (stub, checkedTenant) => stub.getAccessToken(checkedTenant, { forceRefresh }))
  }

  /** See `LatchkeyService.getCredentials`. */
  getCredentials(tenant: string, connectionId: string): Promise<Record<string, unknown>> {
    return this.#call(tenant, connectionId, (stub, checkedTenant) => stub.getCredentials(checkedTenant))
  }

  /** See `LatchkeyService.proxy`. */
  async proxy(tenant: string, connectionId: string, request: Request | ApiRequestInit): Promise<Response> {
    const checkedTenant = checkTenant(tenant)
    const stub = this.#stub(connectionId)
    const call = await readApiCall(request)
    return stub.proxy(checkedTenant, call)
  }

  /** See `LatchkeyService.getApiClientConfig`. */
  getApiClientConfig(tenant: string, connectionId: string): Promise<DirectApiClientConfig> {
    return this.#call(tenant, connectionId, (stub, checkedTenant) => stub.getApiClientConfig(checkedTenant))
  }

  /** See `LatchkeyService.refreshApiClientConfig`. */
  refreshApiClientConfig(tenant: string, connectionId: string, rejectedVersion: string): Promise<DirectApiClientConfig> {
    if (typeof rejectedVersion !== 'string' || rejectedVersion.length > 64)
      throw new LatchkeyError('invalid_request', 'rejectedVersion must be the version of a configuration from getApiClientConfig.')
    return this.#call(tenant, connectionId, (stub, checkedTenant) => stub.refreshApiClientConfig(checkedTenant, rejectedVersion))
  }

  /**
   * See `LatchkeyService.createConnectUrl`. A reconnect without `connectionInput` starts from
   * the input stored with the connection (after checking it is the tenant's).
   */
  async createConnectUrl(options: ConnectUrlOptions): Promise<{ url: string; expiresAt: number }> {
    if (typeof options !== 'object' || options === null) throw new LatchkeyError('invalid_request', 'Pass {tenant, connectorKey, ...}.')
    if (options.connectionId === undefined || options.connectionInput !== undefined) return createConnectUrl(this.#env, options)
    const connectionInput = await this.#call(options.tenant, options.connectionId, (stub, tenant) => stub.getConnectionInput(tenant))
    return createConnectUrl(this.#env, { ...options, connectionInput })
  }

  /** See `LatchkeyService.createConnection`. */
  async createConnection(options: CreateConnectionOptions): Promise<ConnectionSummary> {
    if (typeof options !== 'object' || options === null) throw new LatchkeyError('invalid_request', 'Pass {tenant, connectorKey, connectionInput, ...}.')
    const tenant = checkTenant(options.tenant)
    if (typeof options.connectorKey !== 'string') throw new LatchkeyError('invalid_request', 'connectorKey must be a string.')
    if (options.authOption !== undefined && typeof options.authOption !== 'string') throw new LatchkeyError('invalid_request', 'authOption must be a string.')
    let connectionId = newConnectionId()
    if (options.connectionId !== undefined) {
      this.#stub(options.connectionId)
      connectionId = options.connectionId
      await assertReconnectable(this.#env, connectionId, tenant, options.connectorKey)
    }
    return connectWithTypedInput(this.#env, {
      connectionId,
      connectorKey: options.connectorKey,
      authOption: options.authOption ?? null,
      tenant,
      typedInput: options.connectionInput,
    })
  }

  /** See `LatchkeyService.confirmUserVerification`. */
  confirmUserVerification(flow: string, tenant: string): Promise<{ url: string }> {
    return confirmUserVerification(readSettings(this.#env), flow, tenant, Date.now())
  }

  /** See `LatchkeyService.getConnection`. */
  getConnection(tenant: string, connectionId: string): Promise<ConnectionSummary> {
    return this.#call(tenant, connectionId, (stub, checkedTenant) => stub.getSummary(checkedTenant))
  }

  /** See `LatchkeyService.listConnections`: one page, from the tenant directory alone (connection-listing.ts). */
  listConnections(tenant: string, options?: ListConnectionsOptions): Promise<ConnectionPage> {
    const checkedTenant = checkTenant(tenant)
    return listConnectionPage(this.#env, checkedTenant, options)
  }

  /** See `LatchkeyService.listConnectors`. */
  async listConnectors(): Promise<ConnectorReadiness[]> {
    return connectorsHealth(readSettings(this.#env))
  }

  /** See `LatchkeyService.refresh`. */
  refresh(tenant: string, connectionId: string): Promise<ConnectionSummary> {
    return this.#call(tenant, connectionId, (stub, checkedTenant) => stub.refresh(checkedTenant))
  }

  /** See `LatchkeyService.testConnection`. */
  testConnection(tenant: string, connectionId: string): Promise<ConnectionSummary> {
    return this.#call(tenant, connectionId, (stub, checkedTenant) => stub.testConnection(checkedTenant))
  }

  /** See `LatchkeyService.disconnect`. */
  disconnect(tenant: string, connectionId: string): Promise<DisconnectResult> {
    return this.#call(tenant, connectionId, (stub, checkedTenant) => stub.disconnect(checkedTenant))
  }

  async #call<T>(tenant: string, connectionId: string, body: (stub: ConnectionStub, tenant: string) => Promise<T>): Promise<T> {
    const checkedTenant = checkTenant(tenant)
    return body(this.#stub(connectionId), checkedTenant)
  }

  #stub(connectionId: string): ConnectionStub {
    // A malformed id cannot name a connection: same answer as an unknown one.
    if (typeof connectionId !== 'string' || !isConnectionId(connectionId)) throw new LatchkeyError('connection_not_found', 'No connection with this id exists for this tenant.')
    return connectionStub(this.#env, connectionId)
  }
}

function checkTenant(tenant: unknown): string {
  if (typeof tenant !== 'string' || tenant === '' || tenant.length > MAX_TENANT_LENGTH) {
    throw new LatchkeyError('invalid_request', `tenant must be a non-empty string of at most ${MAX_TENANT_LENGTH} characters.`)
  }
  return tenant
}
