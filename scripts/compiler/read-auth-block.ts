/**
 * Reads one auth block of spec.yml: `auth` itself (or the top level of a flat spec, or what
 * the older layout's files imply) or one of its `options`. Its keys, type, settings and
 * method entries are checked here; which methods a block ends up with, and whether its type
 * allows and requires them, is for `checkBlockMethods` once options have inherited the
 * shared methods (auth-options.ts).
 */
import { REQUIRED_METHODS } from '../../src/registry/types.ts'
import type { AuthType, CompiledAuth, MethodName } from '../../src/registry/types.ts'
import { didYouMean } from '../../src/did-you-mean.ts'
import { allowsMethod, methodNotAllowedMessage, readAuthType, SUPPORTED_AUTH_TYPES_NOTE } from './auth-types.ts'
import type { Diagnostic } from './diagnostics.ts'
import { canonicalMethodName, METHOD_KEYS, OLDER_METHOD_NAMES } from './method-names.ts'
import { optionalSchema, readInputSchema } from './spec-schemas.ts'
import { diagnosticAt } from './yaml-source.ts'
import type { YamlPath, YamlSource } from './yaml-source.ts'

const AUTH_SETTING_KEYS = ['type', 'title', 'description', 'inputSchema', 'ui', 'credentialsSchema']

/** Keys an auth block may have (an option may not have options of its own). */
export const AUTH_BLOCK_KEYS: readonly string[] = [...AUTH_SETTING_KEYS, ...METHOD_KEYS]

/**
 * Keys of the format that Latchkey reads past with a warning rather than as typos:
 * customCredentialsSchema (platform-level overrides) documents credentials, like credentialsSchema.
 */
export const IGNORED_AUTH_KEYS: Readonly<Record<string, string>> = {
  customCredentialsSchema: 'ignoring {key} (platform-level credential overrides): Latchkey reads credentialsSchema',
}

/** One method entry of an auth block, as written. */
export interface MethodEntry {
  /** The key in spec.yml (may be an older name). */
  key: string
  method: MethodName
  entry: unknown
  /** Where the entry is in spec.yml. */
  path: YamlPath
  /** The option it is written in; undefined at the auth level (shared by every option). */
  option?: string
}

/** An auth block's settings, as the registry stores them. */
export type AuthSettings = Omit<CompiledAuth, 'type' | 'methods'>

/** A block as written: `type` undefined when it has none. */
export interface AuthBlock {
  type: AuthType | undefined
  settings: AuthSettings
  methods: MethodEntry[]
}

/** Where a block is and how to read it. */
export interface BlockPlace {
  /** `['auth']`, `[]` (flat spec or older layout), `['auth', 'options', key]`. */
  path: YamlPath
  /** Keys allowed besides AUTH_BLOCK_KEYS (`options` at the auth level). */
  extraKeys: readonly string[]
  /** The spec's root, for the top-level `ui.schema` spelling of the form; only for the auth level. */
  root?: Record<string, unknown>
  /** The option key, for an option. */
  option?: string
}

/**
 * Reads the block `block` at `place`; `undefined` when its type is written but not one
 * Latchkey runs (reported, and nothing else is checked: the rest would be noise).
 */
export function readAuthBlock(source: YamlSource, block: Record<string, unknown>, place: BlockPlace, diagnostics: Diagnostic[]): AuthBlock | undefined {
  const at = (...sub: YamlPath): YamlPath => [...place.path, ...sub]
  const report = (path: YamlPath, message: string, target: 'key' | 'value' = 'value'): void => {
    diagnostics.push(diagnosticAt(source, path, message, { target }))
  }
  let type: AuthType | undefined
  if (block.type !== undefined) {
    const read = readAuthType(block.type)
    if ('problem' in read) {
      report(at('type'), read.problem)
      return undefined
    }
    type = read.type
  }
  const allowed = [...AUTH_BLOCK_KEYS, ...place.extraKeys]
  for (const key of Object.keys(block)) {
    if (allowed.includes(key)) continue
    const ignored = IGNORED_AUTH_KEYS[key]
    if (ignored) diagnostics.push(diagnosticAt(source, at(key), ignored.replace('{key}', keyLabel(place.path, key)), { target: 'key', severity: 'warning' }))
    else report(at(key), `unknown key ${keyLabel(place.path, key)}${didYouMean(key, allowed)} (allowed: ${allowed.join(', ')})`, 'key')
  }
  const title = optionalString(block, 'title', place.path, report)
  const description = optionalString(block, 'description', place.path, report)
  const inputSchema = readInputSchema(place.root ?? {}, block, source, diagnostics, place.path)
  const credentialsSchema = optionalSchema(block, 'credentialsSchema', place.path, source, diagnostics)
  const settings: AuthSettings = {
    ...(title !== undefined && { title }),
    ...(description !== undefined && { description }),
    ...(inputSchema !== undefined && { inputSchema }),
    ...(credentialsSchema !== undefined && { credentialsSchema }),
  }
  return { type, settings, methods: readMethodEntries(block, place, report) }
}

/** `auth.type is required (...)` at the block, for a block that must have a type. */
export function reportMissingType(source: YamlSource, path: YamlPath, diagnostics: Diagnostic[]): void {
  diagnostics.push(diagnosticAt(source, path, `${keyLabel(path, 'type')} is required (${SUPPORTED_AUTH_TYPES_NOTE})`, { target: 'key' }))
}

/**
 * Checks a block of `type`: each of its `own` method entries is one the type allows, and
 * those with the `inherited` ones have the methods the type requires; warns when there is no
 * test. Returns the block's methods without the refused ones (nothing more to say about them).
 */
export function checkBlockMethods(
  source: YamlSource,
  path: YamlPath,
  type: AuthType,
  own: readonly MethodEntry[],
  inherited: readonly MethodEntry[],
  diagnostics: Diagnostic[],
): MethodEntry[] {
  const refused = own.filter((entry) => !allowsMethod(type, entry.method))
  for (const entry of refused) {
    diagnostics.push(diagnosticAt(source, entry.path, methodNotAllowedMessage(keyLabel(path, entry.key), type, entry.method), { target: 'key' }))
  }
  const all = [...own.filter((entry) => !refused.includes(entry)), ...inherited]
  const name = blockName(path)
  const missing = REQUIRED_METHODS[type].filter((method) => !all.some((entry) => entry.method === method))
  if (missing.length > 0) {
    const message = `${name} is missing required method${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (${type} needs ${REQUIRED_METHODS[type].join(', ')})`
    diagnostics.push(diagnosticAt(source, path, message, { target: 'key' }))
  }
  // A discovered connection needs no test to be trusted: its token came from the authorization
  // server the resource itself names, for that resource (RFC 9728, RFC 8707).
  if (type !== 'oauth2-discovered' && !all.some((entry) => entry.method === 'test')) {
    const message = `${name} has no test method: connections are reported connected without checking that the credentials work`
    diagnostics.push(diagnosticAt(source, path, message, { target: 'key', severity: 'warning' }))
  }
  return all
}

/** How messages name `key` of the block at `path`: `auth.key`, `key` (flat), `auth.options.x.key`. */
export function keyLabel(path: YamlPath, key: string): string {
  return [...path, key].join('.')
}

/** How messages name the block at `path`. */
function blockName(path: YamlPath): string {
  return path.length === 0 ? 'the connector' : path.join('.')
}

// Method entries in spec order, older names mapped to current ones.
function readMethodEntries(block: Record<string, unknown>, place: BlockPlace, report: (path: YamlPath, message: string, target?: 'key' | 'value') => void): MethodEntry[] {
  const methods: MethodEntry[] = []
  for (const key of Object.keys(block)) {
    const method = canonicalMethodName(key)
    if (!method) continue
    const twin = methods.find((other) => other.method === method)
    if (twin) {
      report([...place.path, key], `${key} and ${twin.key} are the same method (${key in OLDER_METHOD_NAMES ? key : twin.key} is its older name): keep one`, 'key')
      continue
    }
    methods.push({ key, method, entry: block[key], path: [...place.path, key], ...(place.option !== undefined && { option: place.option }) })
  }
  return methods
}

function optionalString(parent: Record<string, unknown>, key: string, parentPath: YamlPath, report: (path: YamlPath, message: string) => void): string | undefined {
  const value = parent[key]
  if (value === undefined || typeof value === 'string') return value
  report([...parentPath, key], `${keyLabel(parentPath, key)} must be a string`)
  return undefined
}
