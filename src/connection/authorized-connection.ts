/**
 * What the OAuth flow hands the connection object after a successful code exchange, and the
 * checks of it: it crossed RPC, so it is input like any other, and it may only replace a
 * connection of the same tenant and connector.
 */
import { isConnectionId } from '../connection-id.ts'
import { isDiscoveredAuthorization, type DiscoveredAuthorization } from '../discovery/discovered-authorization.ts'
import { LatchkeyError } from '../errors.ts'
import { isRecord } from '../is-record.ts'
import { connectorWithAuthOption } from '../registry/auth-option.ts'
import { getConnector } from '../registry/registry.ts'
import type { ConnectionRecord } from './connection-record.ts'

/** What the OAuth flow stores after a successful code exchange (contract in the team brief). */
export interface AuthorizedConnectionInput {
  connectionId: string
  connectorKey: string
  tenant: string
  connectionInput: Record<string, unknown>
  credentials: Record<string, unknown>
  /** The connector's auth option this connection uses (connectors with `options`); null or absent otherwise. */
  authOption?: string | null
  /**
   * Secret fields the user typed (client-credentials forms, S22): sealed like the credentials,
   * never in the record; methods see them as part of `connectionInput`.
   */
  secretInput?: Record<string, unknown>
  /** A discovered connection's authorization server, client and resource (flow/start-discovered-authorization.ts); null or absent otherwise. */
  discovered?: DiscoveredAuthorization | null
}

/** A checked `AuthorizedConnectionInput`: every field present. */
export type CheckedConnectionInput = Required<AuthorizedConnectionInput>

/** Longest tenant id accepted (the service checks the same bound on its side). */
export const MAX_TENANT_LENGTH = 256

/**
 * Checks every field of `input` (`invalid_request` naming the field, or `connector_not_found`
 * for an unknown connector) and returns a copy with exactly these fields.
 */
export function validateAuthorizedConnection(input: AuthorizedConnectionInput): CheckedConnectionInput {
  const invalid = (message: string): LatchkeyError => new LatchkeyError('invalid_request', `storeAuthorizedConnection: ${message}`)
  if (typeof input !== 'object' || input === null) throw invalid('pass an object.')
  const { connectionId, connectorKey, tenant, connectionInput, credentials, authOption = null, secretInput = {}, discovered = null } = input
  if (typeof connectionId !== 'string' || !isConnectionId(connectionId)) throw invalid('connectionId must be "conn_" followed by 26 base32 characters.')
  if (typeof tenant !== 'string' || tenant === '' || tenant.length > MAX_TENANT_LENGTH)
    throw invalid(`tenant must be a non-empty string of at most ${MAX_TENANT_LENGTH} characters.`)
  if (typeof connectorKey !== 'string') throw invalid('connectorKey must be a string.')
  if (authOption !== null && typeof authOption !== 'string') throw invalid('authOption must be a string or null.')
  connectorWithAuthOption(getConnector(connectorKey), authOption)
  if (!isRecord(connectionInput)) throw invalid('connectionInput must be an object.')
  if (!isRecord(credentials)) throw invalid('credentials must be an object.')
  if (!isRecord(secretInput)) throw invalid('secretInput must be an object.')
  if (discovered !== null && !isDiscoveredAuthorization(discovered)) throw invalid('discovered must be a discovered authorization or null.')
  return { connectionId, connectorKey, tenant, connectionInput, credentials, authOption, secretInput, discovered }
}

/**
 * Whether `input` may be stored over `existing` (what the object holds, `null` when empty): a
 * reconnect keeps tenant and connector. Returns `existing`; throws `connection_not_found` for
 * another tenant's connection (it looks exactly like a missing one) and `invalid_request` for
 * another connector.
 */
export function checkReplaceable(existing: ConnectionRecord | null, input: Pick<AuthorizedConnectionInput, 'tenant' | 'connectionId' | 'connectorKey'>): ConnectionRecord | null {
  if (existing === null) return null
  if (existing.tenant !== input.tenant || existing.connectionId !== input.connectionId) {
    throw new LatchkeyError('connection_not_found', 'No connection with this id exists for this tenant.')
  }
  if (existing.connectorKey !== input.connectorKey) {
    throw new LatchkeyError('invalid_request', `Connection ${existing.connectionId} belongs to connector "${existing.connectorKey}": reconnect it with that connector.`)
  }
  return existing
}
