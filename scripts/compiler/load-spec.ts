/**
 * Reads a connector's spec.yml and checks its shape: the top-level keys Latchkey reads, the
 * `auth` section (read-auth-block.ts) with its `options` (auth-options.ts) and its JSON
 * Schemas. Method entries are returned as written, for `resolve-method.ts`. Other top-level
 * sections of real specs (`key`, `appUri`, `api`, `udm`, export metadata...) are ignored with
 * one warning.
 */
import type { AuthType, CompiledConnector } from '../../src/registry/types.ts'
import type { Diagnostic } from './diagnostics.ts'
import { closestMatch } from '../../src/did-you-mean.ts'
import { isRecord } from '../../src/is-record.ts'
import { readAuthOptions } from './auth-options.ts'
import type { LoadedOption } from './auth-options.ts'
import { METHOD_KEYS } from './method-names.ts'
import { AUTH_BLOCK_KEYS, checkBlockMethods, IGNORED_AUTH_KEYS, keyLabel, readAuthBlock, reportMissingType } from './read-auth-block.ts'
import type { AuthSettings, MethodEntry } from './read-auth-block.ts'
import { optionalSchema } from './spec-schemas.ts'
import { diagnosticAt, parseYamlSource } from './yaml-source.ts'
import type { YamlPath, YamlSource } from './yaml-source.ts'

export type { MethodEntry } from './read-auth-block.ts'

// `ui` holds the connection input form in exported specs (see spec-schemas.ts).
const TOP_LEVEL_KEYS = ['name', 'logoUri', 'parametersSchema', 'auth', 'ui']
const AUTH_KEYS = [...AUTH_BLOCK_KEYS, 'options']

/** What spec.yml says about a connector besides its key and auth. */
export type ConnectorDescription = Omit<CompiledConnector, 'key' | 'auth'>

/** A spec.yml whose shape is valid. */
export interface LoadedSpec {
  source: YamlSource
  description: ConnectorDescription
  /** The auth level: its type (with options, the written one or the first option's), settings and method entries. */
  auth: { type: AuthType; settings: AuthSettings; methods: MethodEntry[] }
  /** With `options`: each option, its shared methods merged in, in spec order. */
  options: LoadedOption[] | undefined
  /**
   * Where the auth settings are in spec.yml: `['auth']`, or `[]` when they are at the top
   * level (Membrane's current docs) or inferred from the files under `auth/` (older layout).
   */
  authPath: YamlPath
}

/**
 * The auth section of the older connector layout, which has no `auth` in spec.yml: what the
 * files under `auth/` imply (compile-connector.ts builds it from the folder).
 */
export type InferredAuth = Record<string, unknown>

/**
 * Parses and checks spec.yml (`file` is its path relative to the project root). The auth
 * settings are read from `auth:`, else from the top level when it has `type`, `options` or
 * methods, else from `inferredAuth` (the older layout, where files under `auth/` are the whole
 * definition).
 */
export function loadSpec(file: string, text: string, inferredAuth?: InferredAuth): { spec: LoadedSpec | undefined; diagnostics: Diagnostic[] } {
  const parsed = parseYamlSource(file, text)
  if (parsed.diagnostics.length > 0) return { spec: undefined, diagnostics: parsed.diagnostics }
  const source = parsed.source
  const diagnostics: Diagnostic[] = []
  const report: Report = (path, message, target = 'value') => {
    diagnostics.push(diagnosticAt(source, path, message, { target }))
  }
  const root = source.value
  if (!isRecord(root)) {
    report([], 'spec.yml must be a mapping with name and auth (e.g. name: GitHub)')
    return { spec: undefined, diagnostics }
  }

  const flat = root.auth === undefined && Object.keys(root).some((key) => key === 'type' || key === 'options' || METHOD_KEYS.includes(key))
  const readKeys = flat ? [...TOP_LEVEL_KEYS, ...AUTH_KEYS, ...Object.keys(IGNORED_AUTH_KEYS)] : TOP_LEVEL_KEYS
  const ignored = Object.keys(root).filter((key) => !readKeys.includes(key))
  if (ignored.length > 0) {
    diagnostics.push(
      diagnosticAt(source, [ignored[0] as string], `ignoring top-level sections ${ignored.join(', ')}: Latchkey reads only ${TOP_LEVEL_KEYS.join(', ')}`, {
        target: 'key',
        severity: 'warning',
      }),
    )
  }
  const name = root.name
  if (typeof name !== 'string' || name.trim() === '') {
    const misspelt = name === undefined ? closestMatch('name', ignored) : undefined
    report(
      misspelt ? [misspelt] : name === undefined ? [] : ['name'],
      `name is required: a non-empty string, e.g. name: GitHub${misspelt ? ` (found ${misspelt}: did you mean name?)` : ''}`,
      misspelt ? 'key' : 'value',
    )
  }
  const logoUri = optionalString(root, 'logoUri', report)
  const parametersSchema = optionalSchema(root, 'parametersSchema', [], source, diagnostics)

  const authPath: YamlPath = root.auth !== undefined ? ['auth'] : []
  const auth = root.auth !== undefined ? root.auth : flat ? pickAuthKeys(root) : inferredAuth
  if (!isRecord(auth)) {
    report(
      root.auth === undefined ? [] : ['auth'],
      'auth is required: a mapping with type (oauth2, client-credentials or oauth1) and its methods (makeApiClient, test, ...), or those at the top level, or files under auth/ (the older layout)',
    )
    return { spec: undefined, diagnostics }
  }
  const hasOptions = auth.options !== undefined
  if (auth.type === undefined && !hasOptions) {
    reportMissingType(source, authPath, diagnostics)
    return { spec: undefined, diagnostics }
  }
  // With options, the auth level's form is nobody's: each option asks for its own input.
  if (hasOptions) refuseSharedForm(root, auth, authPath, report)
  const block = readAuthBlock(source, hasOptions ? withoutForm(auth) : auth, { path: authPath, extraKeys: ['options'], ...(!hasOptions && { root }) }, diagnostics)
  if (!block) return { spec: undefined, diagnostics }

  let type = block.type
  let methods = block.methods
  let options: LoadedOption[] | undefined
  if (hasOptions) {
    options = readAuthOptions(source, auth.options, [...authPath, 'options'], block.methods, diagnostics)
    type ??= options?.[0]?.type
  } else if (type !== undefined) {
    methods = checkBlockMethods(source, authPath, type, block.methods, [], diagnostics)
  }
  const description: ConnectorDescription = {
    name: typeof name === 'string' ? name : '',
    ...(logoUri !== undefined && { logoUri }),
    ...(parametersSchema !== undefined && { parametersSchema }),
  }
  if (type === undefined || (hasOptions && options === undefined)) return { spec: undefined, diagnostics }
  return { spec: { source, description, auth: { type, settings: block.settings, methods }, options, authPath }, diagnostics }
}

type Report = (path: YamlPath, message: string, target?: 'key' | 'value') => void

/** The auth settings of a flat spec: the top-level keys that belong to an auth section. */
function pickAuthKeys(root: Record<string, unknown>): Record<string, unknown> {
  const keys = [...AUTH_KEYS, ...Object.keys(IGNORED_AUTH_KEYS)]
  return Object.fromEntries(Object.entries(root).filter(([key]) => keys.includes(key)))
}

const FORM_KEYS = ['inputSchema', 'ui', 'credentialsSchema']

function refuseSharedForm(root: Record<string, unknown>, auth: Record<string, unknown>, authPath: YamlPath, report: Report): void {
  const written: YamlPath[] = [
    ...FORM_KEYS.filter((key) => auth[key] !== undefined).map((key) => [...authPath, key]),
    // A flat spec's `ui` is the auth level's own (already above).
    ...(authPath.length > 0 && root.ui !== undefined ? [['ui']] : []),
  ]
  for (const path of written) {
    report(
      path,
      `${path.join('.')} is not used when ${keyLabel(authPath, 'options')} is set: each option has its own form and credentials; move it into the options that need it`,
      'key',
    )
  }
}

function withoutForm(auth: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(auth).filter(([key]) => !FORM_KEYS.includes(key)))
}

function optionalString(parent: Record<string, unknown>, key: string, report: Report): string | undefined {
  const value = parent[key]
  if (value === undefined || typeof value === 'string') return value
  report([key], `${key} must be a string`)
  return undefined
}
