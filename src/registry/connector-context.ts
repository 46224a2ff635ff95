/**
 * The argument contract of connector methods: every method (mapping, rest-api-mapping or
 * JavaScript) receives one object that starts as `connectorContext(...)`; each call site adds
 * only what its method is for (`credentials`, `redirectUri`, `tokenResponse`, `apiClient`...).
 * Older connectors read the same values under older names, so those names are part of the
 * contract too (test/registry/connector-context.node.test.ts).
 */
import type { Settings } from '../settings.ts'
import { readConnectorParameters } from './connector-parameters.ts'
import type { CompiledConnector } from './types.ts'

/** What every connector method sees, whatever it is for (a type, not an interface, so it spreads into `Record<string, unknown>`). */
export type ConnectorContext = {
  /** The connector's parameters from Worker variables (`<KEY>__<PARAM>`), read once per context. */
  connectorParameters: Record<string, unknown>
  /** Oldest name of `connectorParameters` (integration-app connectors such as pipedrive-connector). */
  appParameters: Record<string, unknown>
  /** The connection's input (validated against the connector's inputSchema when the flow started). */
  connectionInput: Record<string, unknown>
  /** Older name of `connectionInput`. */
  connectionParameters: Record<string, unknown>
}

/**
 * The argument object for a method of `connector` on the connection with `connectionInput`.
 * Reads the connector's parameters from `settings` (throws `connector_misconfigured` naming
 * the variable when a required one is missing); build one per operation and spread it into
 * each method call of that operation, so parameters are read once.
 */
export function connectorContext(connector: CompiledConnector, settings: Settings, connectionInput: Record<string, unknown>): ConnectorContext {
  const connectorParameters = readConnectorParameters(connector, settings)
  return { connectorParameters, appParameters: connectorParameters, connectionInput, connectionParameters: connectionInput }
}
