/**
 * The connector as a stored connection runs it: the compiled connector seen through the auth
 * option the connection was made with (auth-option.ts), so test, refresh, proxy and disconnect
 * follow that option.
 */
import { connectorWithAuthOption } from '../registry/auth-option.ts'
import { findConnector, getConnector } from '../registry/registry.ts'
import type { CompiledConnector } from '../registry/types.ts'
import type { ConnectionRecord } from './connection-record.ts'

type RecordConnectorFields = Pick<ConnectionRecord, 'connectorKey'> & { authOption?: string | null }

/** The record's connector and option; throws `connector_not_found` / `auth_option_required` when the build no longer has them. */
export function connectorOfRecord(record: RecordConnectorFields): CompiledConnector {
  // Records stored before options existed have no authOption.
  return connectorWithAuthOption(getConnector(record.connectorKey), record.authOption ?? null)
}

/** Like `connectorOfRecord`, but `undefined` when the connector or its option is gone from the build. */
export function findConnectorOfRecord(record: RecordConnectorFields): CompiledConnector | undefined {
  const connector = findConnector(record.connectorKey)
  if (connector === undefined) return undefined
  try {
    return connectorWithAuthOption(connector, record.authOption ?? null)
  } catch {
    return undefined
  }
}
