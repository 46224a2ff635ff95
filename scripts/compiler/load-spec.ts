/**
 * Reads a connector's spec.yml and checks its shape: the top-level keys Latchkey reads,
 * the `auth` section of an oauth2 connector and its JSON Schemas. Method entries are
 * returned as written, for `resolve-method.ts`.
 */
import { REQUIRED_OAUTH2_METHODS } from '../../src/registry/types.ts'
import type { CompiledConnector, JsonSchema, MethodName } from '../../src/registry/types.ts'
import type { Diagnostic } from './diagnostics.ts'
import { closestMatch, didYouMean } from './did-you-mean.ts'
import { checkJsonSchema } from './json-schema-check.ts'
import { canonicalMethodName, METHOD_KEYS, OLDER_METHOD_NAMES } from './method-names.ts'
import { diagnosticAt, parseYamlSource } from './yaml-source.ts'
import type { YamlPath, YamlSource } from './yaml-source.ts'

const TOP_LEVEL_KEYS = ['name', 'logoUri', 'parametersSchema', 'auth']
const AUTH_SETTING_KEYS = ['type', 'title', 'description', 'inputSchema', 'ui', 'credentialsSchema']
const AUTH_KEYS = [...AUTH_SETTING_KEYS, ...METHOD_KEYS]
const SUPPORTED_AUTH_TYPES = ['oauth2']
const LATER_AUTH_TYPES = ['client-credentials', 'oauth1', 'proxy', 'integration-app-token', 'membrane-token']

/** One method entry of `auth`, as written. */
export interface MethodEntry {
  /** The key in spec.yml (may be an older name). */
  key: string
  method: MethodName
  entry: unknown
}

/** What spec.yml says about a connector besides its key and methods, as the registry stores it. */
export type ConnectorDescription = Omit<CompiledConnector, 'key' | 'auth'> & { auth: Omit<CompiledConnector['auth'], 'methods'> }

/** A spec.yml whose shape is valid for an oauth2 connector. */
export interface LoadedSpec {
  source: YamlSource
  description: ConnectorDescription
  methods: MethodEntry[]
}

/** Parses and checks spec.yml (`file` is its path relative to the project root). */
export function loadSpec(file: string, text: string): { spec: LoadedSpec | undefined; diagnostics: Diagnostic[] } {
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

  const ignored = Object.keys(root).filter((key) => !TOP_LEVEL_KEYS.includes(key))
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
    report(misspelt ? [misspelt] : name === undefined ? [] : ['name'], `name is required: a non-empty string, e.g. name: GitHub${misspelt ? ` (found ${misspelt}: did you mean name?)` : ''}`, misspelt ? 'key' : 'value')
  }
  const logoUri = optionalString(root, 'logoUri', [], report)
  const parametersSchema = optionalSchema(root, 'parametersSchema', [], source, diagnostics)

  const auth = root.auth
  if (!isRecord(auth)) {
    report(auth === undefined ? [] : ['auth'], 'auth is required: a mapping with type: oauth2 and its methods (getOAuthConfig, makeApiClient, test)')
    return { spec: undefined, diagnostics }
  }
  if (!isSupportedAuthType(auth.type, report)) return { spec: undefined, diagnostics }

  for (const key of Object.keys(auth)) {
    if (!AUTH_KEYS.includes(key)) {
      report(['auth', key], `unknown key auth.${key}${didYouMean(key, AUTH_KEYS)} (allowed: ${AUTH_KEYS.join(', ')})`, 'key')
    }
  }
  const title = optionalString(auth, 'title', ['auth'], report)
  const authDescription = optionalString(auth, 'description', ['auth'], report)
  const inputSchema = readInputSchema(auth, source, diagnostics, report)
  const credentialsSchema = optionalSchema(auth, 'credentialsSchema', ['auth'], source, diagnostics)

  const methods = readMethodEntries(auth, report)

  const description: ConnectorDescription = {
    name: typeof name === 'string' ? name : '',
    ...(logoUri !== undefined && { logoUri }),
    ...(parametersSchema !== undefined && { parametersSchema }),
    auth: {
      type: 'oauth2',
      ...(title !== undefined && { title }),
      ...(authDescription !== undefined && { description: authDescription }),
      ...(inputSchema !== undefined && { inputSchema }),
      ...(credentialsSchema !== undefined && { credentialsSchema }),
    },
  }
  return { spec: { source, description, methods }, diagnostics }
}

type Report = (path: YamlPath, message: string, target?: 'key' | 'value') => void

function isSupportedAuthType(type: unknown, report: Report): type is 'oauth2' {
  if (type === undefined) {
    report(['auth'], `auth.type is required (supported: ${SUPPORTED_AUTH_TYPES.join(', ')})`, 'key')
    return false
  }
  if (typeof type === 'string' && SUPPORTED_AUTH_TYPES.includes(type)) return true
  if (typeof type === 'string' && LATER_AUTH_TYPES.includes(type)) {
    report(['auth', 'type'], `auth type ${type} is not supported yet (supported: ${SUPPORTED_AUTH_TYPES.join(', ')})`)
  } else {
    const typo = typeof type === 'string' ? didYouMean(type, [...SUPPORTED_AUTH_TYPES, ...LATER_AUTH_TYPES]) : ''
    report(['auth', 'type'], `unknown auth type ${JSON.stringify(type)}${typo} (supported: ${SUPPORTED_AUTH_TYPES.join(', ')})`)
  }
  return false
}

// Method entries in spec order, older names mapped to current ones; required ones checked.
function readMethodEntries(auth: Record<string, unknown>, report: Report): MethodEntry[] {
  const methods: MethodEntry[] = []
  for (const key of Object.keys(auth)) {
    const method = canonicalMethodName(key)
    if (!method) continue
    const twin = methods.find((other) => other.method === method)
    if (twin) {
      report(['auth', key], `${key} and ${twin.key} are the same method (${key in OLDER_METHOD_NAMES ? key : twin.key} is its older name): keep one`, 'key')
      continue
    }
    methods.push({ key, method, entry: auth[key] })
  }
  const missing = REQUIRED_OAUTH2_METHODS.filter((method) => !methods.some((entry) => entry.method === method))
  if (missing.length > 0) {
    report(['auth'], `auth is missing required method${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (oauth2 needs ${REQUIRED_OAUTH2_METHODS.join(', ')})`, 'key')
  }
  return methods
}

// `ui.schema` is the older spelling of `inputSchema`.
function readInputSchema(
  auth: Record<string, unknown>,
  source: YamlSource,
  diagnostics: Diagnostic[],
  report: Report,
): JsonSchema | undefined {
  const ui = auth.ui
  if (ui === undefined) return optionalSchema(auth, 'inputSchema', ['auth'], source, diagnostics)
  if (!isRecord(ui)) {
    report(['auth', 'ui'], 'auth.ui must be a mapping with schema (the older spelling of auth.inputSchema)')
    return undefined
  }
  for (const key of Object.keys(ui)) {
    if (key !== 'schema') report(['auth', 'ui', key], `unknown key auth.ui.${key}${didYouMean(key, ['schema'])} (allowed: schema, the older spelling of auth.inputSchema)`, 'key')
  }
  if (auth.inputSchema !== undefined && ui.schema !== undefined) {
    report(['auth', 'ui', 'schema'], 'auth.ui.schema and auth.inputSchema both set: keep inputSchema (ui.schema is its older spelling)', 'key')
    return undefined
  }
  if (ui.schema !== undefined) return optionalSchema(ui, 'schema', ['auth', 'ui'], source, diagnostics, 'auth.ui.schema')
  return optionalSchema(auth, 'inputSchema', ['auth'], source, diagnostics)
}

function optionalSchema(
  parent: Record<string, unknown>,
  key: string,
  parentPath: YamlPath,
  source: YamlSource,
  diagnostics: Diagnostic[],
  label = [...parentPath, key].join('.'),
): JsonSchema | undefined {
  const schema = parent[key]
  if (schema === undefined) return undefined
  const problems = checkJsonSchema(source, [...parentPath, key], schema, label)
  if (problems.length > 0) {
    diagnostics.push(...problems)
    return undefined
  }
  if (!isRecord(schema)) {
    diagnostics.push(diagnosticAt(source, [...parentPath, key], `${label} must be a JSON Schema object, e.g. {type: object, properties: {...}}`))
    return undefined
  }
  return schema
}

function optionalString(
  parent: Record<string, unknown>,
  key: string,
  parentPath: YamlPath,
  report: Report,
): string | undefined {
  const value = parent[key]
  if (value === undefined || typeof value === 'string') return value
  report([...parentPath, key], `${[...parentPath, key].join('.')} must be a string`)
  return undefined
}

/** A plain object (not an array or null), as YAML mappings become. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
