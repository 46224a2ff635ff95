/**
 * The compiled registry at run time: find a connector by key and run one of its methods,
 * whether it is a pre-parsed mapping or a bundled JavaScript module. Connectors are kept as
 * JSON text in the bundle and decoded on first use, once per isolate (serialized-registry.ts),
 * so startup does not grow with the number of connectors a request never touches.
 */
import { evaluateMapping } from '../formula/index.ts'
import { LatchkeyError } from '../errors.ts'
import compiledRegistry from './generated/registry.json'
import { methods } from './generated/methods.ts'
import { runRestApiMethod } from './rest-api-method.ts'
import { lazyRegistry } from './serialized-registry.ts'
import type { CompiledConnector, MethodName } from './types.ts'

const registry = lazyRegistry(compiledRegistry)

/**
 * Every compiled connector, sorted by key. Decodes each one's head (name, schemas, auth types:
 * what listing shows) on first call; their methods stay encoded until something reads them.
 */
export function listConnectors(): CompiledConnector[] {
  return registry.list()
}

/** The connector with this key, or `undefined`. Keys come from URLs: no prototype lookups. */
export function findConnector(key: string): CompiledConnector | undefined {
  return registry.find(key)
}

/** The connector with this key; throws `connector_not_found` otherwise. */
export function getConnector(key: string): CompiledConnector {
  const connector = findConnector(key)
  if (!connector) throw new LatchkeyError('connector_not_found', `No connector with key "${key}" is compiled into this Worker.`)
  return connector
}

/** Whether the connector implements `name` (optional methods change the flow). */
export function hasMethod(connector: CompiledConnector, name: MethodName): boolean {
  return connector.auth.methods[name] !== undefined
}

/**
 * Runs a connector method with one argument object: a `connectorContext` (the names every
 * method may read, connector-context.ts) plus what this method is for. A mapping sees the
 * object as its variables (`connectorParameters`, `credentials`, ...); a JavaScript method
 * receives it as its single argument; a rest-api-mapping sends its request with
 * `args.apiClient`. Whatever the method throws becomes `connector_method_failed`, with the
 * original error kept as `cause` only (its message may quote a secret), except Latchkey's own
 * errors raised in connector code (`isExplainedFailure`), whose messages say what happened
 * without secrets.
 */
export async function runMethod(connector: CompiledConnector, name: MethodName, args: Record<string, unknown>): Promise<unknown> {
  const method = connector.auth.methods[name]
  if (!method) {
    throw new LatchkeyError('connector_misconfigured', `Connector "${connector.key}" has no ${name} method.`)
  }
  try {
    if (method.implementationType === 'mapping') return evaluateMapping(method.mapping, args)
    if (method.implementationType === 'rest-api-mapping') return await runRestApiMethod(method, args, `${name} of connector "${connector.key}" (${method.source})`)
    const fn = methods[method.moduleId]
    if (!fn) throw new Error(`module ${method.moduleId} is missing from the bundle`)
    return await fn(args)
  } catch (error) {
    if (error instanceof LatchkeyError) throw error
    const apiFailure = isExplainedFailure(error) ? `: ${error.message}` : '.'
    throw new LatchkeyError('connector_method_failed', `${name} of connector "${connector.key}" (${method.source}) failed${apiFailure}`, { cause: error })
  }
}

/**
 * Errors Latchkey raised inside connector code, whose messages are built without secrets: the
 * API client's (connection/api-client.ts) and the connector fetch's refused redirect
 * (connector-sdk/connector-fetch.ts). Recognised by name: this layer imports neither.
 */
function isExplainedFailure(error: unknown): error is Error {
  return error instanceof Error && (error.name === 'ApiRequestError' || error.name === 'ConnectorRedirectError')
}
