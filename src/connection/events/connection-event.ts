/**
 * Events about a connection's lifecycle, as delivered to the webhook or the queue. They
 * carry identifiers, status and error codes only: never credentials or connection input (S13).
 */
import type { ConnectionError, ConnectionRecord, ConnectionStatus } from '../connection-record.ts'

/** Every event type, in lifecycle order. */
export const CONNECTION_EVENT_TYPES = [
  'connection.created',
  'connection.reconnected',
  'connection.refreshed',
  'connection.refresh_failed',
  'connection.needs_reauth',
  /** A refresh cut off by a crash, deploy or eviction could not be recovered: the user must reconnect (S19). */
  'connection.refresh_interrupted',
  'connection.deleted',
] as const

export type ConnectionEventType = (typeof CONNECTION_EVENT_TYPES)[number]

/** One event. `id` is unique per event: receivers use it to drop duplicates. */
export interface ConnectionEvent {
  id: string
  type: ConnectionEventType
  /** Milliseconds since epoch. */
  occurredAt: number
  connectionId: string
  connectorKey: string
  /** The connector's auth option the connection uses (connectors with `options`), else null. */
  authOption: string | null
  tenant: string
  status: ConnectionStatus
  /** For refresh_failed and needs_reauth: the stable code and a message without secrets. */
  error: ConnectionError | null
}

/** Builds the event for `record` by picking fields one by one (nothing secret can slip in). */
export function connectionEvent(type: ConnectionEventType, record: ConnectionRecord, now: number): ConnectionEvent {
  return {
    id: `evt_${crypto.randomUUID()}`,
    type,
    occurredAt: now,
    connectionId: record.connectionId,
    connectorKey: record.connectorKey,
    authOption: record.authOption ?? null,
    tenant: record.tenant,
    status: record.status,
    error: record.lastError === null ? null : { code: record.lastError.code, message: record.lastError.message },
  }
}
