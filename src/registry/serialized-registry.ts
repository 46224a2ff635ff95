/**
 * The compiled registry as `src/registry/generated/registry.json` holds it, and its lazy
 * decoding at run time. Shared by the build (scripts/compiler/emit.ts encodes) and the Worker
 * (registry.ts decodes), so both always agree on the format.
 *
 * Every connector stays JSON text inside the file (two strings per connector key), so starting
 * the Worker only scans string literals: no object is built for a connector until a request
 * touches it. The two strings:
 *   - head: the connector with every `methods` (of `auth` and of each option) set to 0, a
 *     placeholder that keeps the property's place. What listing needs (name, parametersSchema,
 *     auth types, titles and input schemas for the connect page) and what is small.
 *   - methods: `[authMethods, {optionKey: optionMethods}]`, the compiled mappings: most of a
 *     connector's bytes, needed only when a method runs or is looked up.
 * A connector is decoded (its head parsed) once, on first use; its methods are parsed once, on
 * first access to any `methods` property of that connector (a getter that then replaces itself
 * with the plain value).
 */
import type { CompiledAuth, CompiledConnector, CompiledMethod, MethodName } from './types.ts'

/** The file's format version; registry.ts refuses any other (a registry.json from an older build). */
export const REGISTRY_FORMAT_VERSION = 2

type Methods = Partial<Record<MethodName, CompiledMethod>>

/** One connector's JSON texts: `[head, methods]`. */
export type SerializedConnector = [head: string, methods: string]

/** The content of registry.json. */
export interface SerializedRegistry {
  formatVersion: typeof REGISTRY_FORMAT_VERSION
  /** Keyed by connector key, in the order listConnectors returns them (sorted by key). */
  connectors: Record<string, SerializedConnector>
}

/** registry.json's content for `connectors` (already in their order); minified. */
export function serializeRegistry(connectors: readonly CompiledConnector[]): string {
  const registry: SerializedRegistry = {
    formatVersion: REGISTRY_FORMAT_VERSION,
    connectors: Object.fromEntries(connectors.map((connector) => [connector.key, serializeConnector(connector)])),
  }
  return `${JSON.stringify(registry)}\n`
}

/** `connector` as its head and methods JSON texts. */
export function serializeConnector(connector: CompiledConnector): SerializedConnector {
  const options = connector.auth.options
  const optionMethods: Record<string, Methods> = {}
  for (const [key, option] of Object.entries(options ?? {})) optionMethods[key] = option.methods
  const head = {
    ...connector,
    auth: withMethodsPlaceholder({
      ...connector.auth,
      ...(options === undefined ? {} : { options: Object.fromEntries(Object.entries(options).map(([key, option]) => [key, withMethodsPlaceholder(option)])) }),
    }),
  }
  return [JSON.stringify(head), JSON.stringify([connector.auth.methods, optionMethods])]
}

// The block with `methods: 0` in place of its methods (same key order).
function withMethodsPlaceholder<T extends CompiledAuth>(auth: T): Record<string, unknown> {
  return Object.fromEntries(Object.entries(auth).map(([key, value]) => [key, key === 'methods' ? 0 : value]))
}

/** Connectors looked up by key and decoded on first use, from registry.json's content. */
export interface LazyRegistry {
  /** Every connector, in the file's order (sorted by key); decodes the heads not yet decoded. */
  list(): CompiledConnector[]
  /** The connector with this key, or `undefined`; never a prototype property (keys come from URLs). */
  find(key: string): CompiledConnector | undefined
}

/**
 * A registry over `serialized` (registry.json's content as imported). `parse` is JSON.parse,
 * replaceable so tests can count decodes.
 */
export function lazyRegistry(serialized: unknown, parse: (text: string) => unknown = JSON.parse): LazyRegistry {
  const file = serialized as Partial<SerializedRegistry> | null
  const check = (): Record<string, SerializedConnector> => {
    if (file === null || typeof file !== 'object' || file.formatVersion !== REGISTRY_FORMAT_VERSION || typeof file.connectors !== 'object' || file.connectors === null) {
      throw new Error(`src/registry/generated/registry.json is not a format ${REGISTRY_FORMAT_VERSION} registry: run npm run build`)
    }
    return file.connectors
  }
  const decoded = new Map<string, CompiledConnector>()
  const find = (key: string): CompiledConnector | undefined => {
    const connectors = check()
    if (!Object.hasOwn(connectors, key)) return undefined
    let connector = decoded.get(key)
    if (connector === undefined) {
      connector = decodeConnector(connectors[key] as SerializedConnector, parse)
      decoded.set(key, connector)
    }
    return connector
  }
  return {
    find,
    list: () => Object.keys(check()).map((key) => find(key) as CompiledConnector),
  }
}

function decodeConnector([head, methods]: SerializedConnector, parse: (text: string) => unknown): CompiledConnector {
  const connector = parse(head) as CompiledConnector
  let all: [Methods, Record<string, Methods>] | undefined
  const decodeMethods = (): [Methods, Record<string, Methods>] => {
    all ??= parse(methods) as [Methods, Record<string, Methods>]
    return all
  }
  lazyMethods(connector.auth, () => decodeMethods()[0])
  const options = connector.auth.options
  if (options !== undefined) {
    for (const key of Object.keys(options)) {
      lazyMethods(options[key] as CompiledAuth, () => {
        const byOption = decodeMethods()[1]
        return (Object.hasOwn(byOption, key) ? byOption[key] : undefined) ?? {}
      })
    }
  }
  return connector
}

// `auth.methods` as a getter that decodes on first read and then becomes the plain value, in
// the placeholder's place (redefining an existing property keeps the key order).
function lazyMethods(auth: CompiledAuth, load: () => Methods): void {
  const settle = (value: Methods): Methods => {
    Object.defineProperty(auth, 'methods', { value, writable: true, enumerable: true, configurable: true })
    return value
  }
  Object.defineProperty(auth, 'methods', {
    enumerable: true,
    configurable: true,
    get: () => settle(load()),
    set: settle,
  })
}
