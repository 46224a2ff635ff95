/**
 * Reads a connector's spec.yml and checks its shape: the top-level keys Latchkey reads,
 * the `auth` section of an oauth2 connector and its JSON Schemas. Method entries are
 * returned as written, for `resolve-method.ts`. Other top-level sections of real specs
 * (`key`, `appUri`, `api`, `udm`, export metadata...) are ignored with one warning.
 */
import { REQUIRED_OAUTH2_METHODS } from '../../src/registry/types.ts'
import type { CompiledConnector, MethodName } from '../../src/registry/types.ts'
import type { Diagnostic } from './diagnostics.ts'
import { closestMatch, didYouMean } from '../../src/did-you-mean.ts'
import { isRecord } from '../../src/is-record.ts'
import { canonicalMethodName, METHOD_KEYS, OLDER_METHOD_NAMES } from './method-names.ts'
import { optionalSchema, readInputSchema } from './spec-schemas.ts'
import { diagnosticAt, parseYamlSource } from './yaml-source.ts'
import type { YamlPath, YamlSource } from './yaml-source.ts'

// `ui` holds the connection input form in exported specs (see spec-schemas.ts).
const TOP_LEVEL_KEYS = ['name', 'logoUri', 'parametersSchema', 'auth', 'ui']
const AUTH_SETTING_KEYS = ['type', 'title', 'description', 'inputSchema', 'ui', 'credentialsSchema']
const AUTH_KEYS = [...AUTH_SETTING_KEYS, ...METHOD_KEYS]
const SUPPORTED_AUTH_TYPES = ['oauth2']
const LATER_AUTH_TYPES = ['client-credentials', 'oauth1', 'proxy', 'integration-app-token', 'membrane-token']

/**
 * Keys of `auth` in the format that Latchkey does not run, with why and what to do, so
 * that they are not reported as typos. Only customCredentialsSchema (documentation of the
 * credentials, like credentialsSchema) is harmless to ignore.
 */
const AUTH_KEYS_NOT_RUN: Readonly<Record<string, { severity: Diagnostic['severity']; message: string }>> = {
  options: {
    severity: 'error',
    message: 'auth.options (several ways to connect in one connector) is not supported yet: keep one option, with its type and methods directly under auth',
  },
  getCredentialsFromConnectionParameters: {
    severity: 'error',
    message:
      'auth.getCredentialsFromConnectionParameters is a method of client-credentials connectors; an oauth2 connector makes its credentials from the token response (getCredentialsFromAccessTokenResponse)',
  },
  customCredentialsSchema: {
    severity: 'warning',
    message: 'ignoring auth.customCredentialsSchema (platform-level credential overrides): Latchkey reads credentialsSchema',
  },
}

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
 * settings are read from `auth:`, else from the top level when it has `type` or methods, else
 * from `inferredAuth` (the older layout, where files under `auth/` are the whole definition).
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

  const flat = root.auth === undefined && Object.keys(root).some((key) => key === 'type' || METHOD_KEYS.includes(key))
  const readKeys = flat ? [...TOP_LEVEL_KEYS, ...AUTH_KEYS, ...Object.keys(AUTH_KEYS_NOT_RUN)] : TOP_LEVEL_KEYS
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
  const logoUri = optionalString(root, 'logoUri', [], report)
  const parametersSchema = optionalSchema(root, 'parametersSchema', [], source, diagnostics)

  const authPath: YamlPath = root.auth !== undefined ? ['auth'] : []
  const auth = root.auth !== undefined ? root.auth : flat ? pickAuthKeys(root) : inferredAuth
  if (!isRecord(auth)) {
    report(
      root.auth === undefined ? [] : ['auth'],
      'auth is required: a mapping with type: oauth2 and its methods (getOAuthConfig, makeApiClient, test), or those at the top level, or files under auth/ (the older layout)',
    )
    return { spec: undefined, diagnostics }
  }
  const at = (...path: YamlPath): YamlPath => [...authPath, ...path]
  const label = (key: string): string => (authPath.length === 0 ? key : `auth.${key}`)
  if (!isSupportedAuthType(auth.type, authPath, report)) return { spec: undefined, diagnostics }

  for (const key of Object.keys(auth)) {
    if (AUTH_KEYS.includes(key)) continue
    const notRun = AUTH_KEYS_NOT_RUN[key]
    if (notRun) diagnostics.push(diagnosticAt(source, at(key), notRun.message, { target: 'key', severity: notRun.severity }))
    else report(at(key), `unknown key ${label(key)}${didYouMean(key, AUTH_KEYS)} (allowed: ${AUTH_KEYS.join(', ')})`, 'key')
  }
  const title = optionalString(auth, 'title', authPath, report)
  const authDescription = optionalString(auth, 'description', authPath, report)
  const inputSchema = readInputSchema(root, auth, source, diagnostics, authPath)
  const credentialsSchema = optionalSchema(auth, 'credentialsSchema', authPath, source, diagnostics)

  const methods = readMethodEntries(auth, authPath, report)
  if (!methods.some((entry) => entry.method === 'test')) {
    diagnostics.push(
      diagnosticAt(
        source,
        authPath,
        `${authPath.length === 0 ? 'the connector' : 'auth'} has no test method: connections are reported connected without checking that the credentials work`,
        {
          target: 'key',
          severity: 'warning',
        },
      ),
    )
  }

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
  return { spec: { source, description, methods, authPath }, diagnostics }
}

/** The auth settings of a flat spec: the top-level keys that belong to an auth section. */
function pickAuthKeys(root: Record<string, unknown>): Record<string, unknown> {
  const keys = [...AUTH_KEYS, ...Object.keys(AUTH_KEYS_NOT_RUN)]
  return Object.fromEntries(Object.entries(root).filter(([key]) => keys.includes(key)))
}

type Report = (path: YamlPath, message: string, target?: 'key' | 'value') => void

function isSupportedAuthType(type: unknown, authPath: YamlPath, report: Report): type is 'oauth2' {
  const where = authPath.length === 0 ? 'type' : 'auth.type'
  if (type === undefined) {
    report(authPath, `${where} is required (supported: ${SUPPORTED_AUTH_TYPES.join(', ')})`, 'key')
    return false
  }
  if (typeof type === 'string' && SUPPORTED_AUTH_TYPES.includes(type)) return true
  if (typeof type === 'string' && LATER_AUTH_TYPES.includes(type)) {
    report([...authPath, 'type'], `auth type ${type} is not supported yet (supported: ${SUPPORTED_AUTH_TYPES.join(', ')})`)
  } else {
    const typo = typeof type === 'string' ? didYouMean(type, [...SUPPORTED_AUTH_TYPES, ...LATER_AUTH_TYPES]) : ''
    report([...authPath, 'type'], `unknown auth type ${JSON.stringify(type)}${typo} (supported: ${SUPPORTED_AUTH_TYPES.join(', ')})`)
  }
  return false
}

// Method entries in spec order, older names mapped to current ones; required ones checked.
function readMethodEntries(auth: Record<string, unknown>, authPath: YamlPath, report: Report): MethodEntry[] {
  const methods: MethodEntry[] = []
  for (const key of Object.keys(auth)) {
    const method = canonicalMethodName(key)
    if (!method) continue
    const twin = methods.find((other) => other.method === method)
    if (twin) {
      report([...authPath, key], `${key} and ${twin.key} are the same method (${key in OLDER_METHOD_NAMES ? key : twin.key} is its older name): keep one`, 'key')
      continue
    }
    methods.push({ key, method, entry: auth[key] })
  }
  const missing = REQUIRED_OAUTH2_METHODS.filter((method) => !methods.some((entry) => entry.method === method))
  if (missing.length > 0) {
    report(
      authPath,
      `${authPath.length === 0 ? 'the connector' : 'auth'} is missing required method${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (oauth2 needs ${REQUIRED_OAUTH2_METHODS.join(', ')})`,
      'key',
    )
  }
  return methods
}

function optionalString(parent: Record<string, unknown>, key: string, parentPath: YamlPath, report: Report): string | undefined {
  const value = parent[key]
  if (value === undefined || typeof value === 'string') return value
  report([...parentPath, key], `${[...parentPath, key].join('.')} must be a string`)
  return undefined
}
