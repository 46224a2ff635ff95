/**
 * How the pages name and picture a connector: its spec's `name` and, when it may be shown,
 * its logo (logo.ts). Looked up by key for connections too, since a connection may outlive its
 * connector's configuration (its key then stands in for the name).
 */
import type { CompiledConnector } from '../registry/types.ts'
import type { Settings } from '../settings.ts'
import { logoOf, type Logo } from './logo.ts'

/** A connector as a page shows it. */
export interface ConnectorShown {
  name: string
  /** Null: the name stands alone. */
  logo: Logo | null
}

/** `connectors` (the registry's `listConnectors()`) as the pages show them, by key. */
export function connectorsShown(connectors: readonly CompiledConnector[], settings: Settings): Map<string, ConnectorShown> {
  return new Map(connectors.map((connector) => [connector.key, { name: connector.name, logo: logoOf(connector.logoUri, settings.allowInsecureLoopback) }]))
}

/** The connector `key` as shown, or its key alone when no compiled connector has it. */
export function connectorShown(shown: ReadonlyMap<string, ConnectorShown>, key: string): ConnectorShown {
  return shown.get(key) ?? { name: key, logo: null }
}
