/**
 * Finds where a method's implementation is: `filePath`, inline `mapping` or `code` in
 * spec.yml, or a file under `auth/` found by naming convention. Checks the method entry
 * itself (keys, type) and that the file's suffix matches its type.
 */
import { existsSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import type { Diagnostic } from './diagnostics.ts'
import { didYouMean } from '../../src/did-you-mean.ts'
import { isRecord } from '../../src/is-record.ts'
import type { MethodEntry } from './read-auth-block.ts'
import { readEntryType } from './method-entry-type.ts'
import type { ImplementationType, TypeKey } from './method-entry-type.ts'
import { conventionalBaseNames } from './method-names.ts'
import { diagnosticAt, parseYamlSource } from './yaml-source.ts'
import type { YamlPath, YamlSource } from './yaml-source.ts'

const ENTRY_KEYS = ['type', 'implementationType', 'filePath', 'mapping', 'code']

// Longest suffix first: `x.map.yml` is a mapping file and `x.rest.yml` a rest-api-mapping
// file, not `.yml` ones named `x.map` or `x.rest`.
const SUFFIXES: ReadonlyArray<readonly [string, ImplementationType]> = [
  ['.rest.yml', 'rest-api-mapping'],
  ['.api.yml', 'rest-api-mapping'],
  ['.map.yml', 'mapping'],
  ['.yml', 'mapping'],
  ['.js', 'javascript'],
  ['.ts', 'javascript'],
]

/** A connector folder being compiled. */
export interface ConnectorFolder {
  key: string
  /** Absolute path. */
  dir: string
  /** Relative to the project root, forward slashes: what messages show. */
  displayDir: string
  /** Files under `auth/`, relative to it: `test.js`, and an option's `api-key/test.js`. */
  authFiles: ReadonlySet<string>
}

/** Where JavaScript code came from, to place its problems. */
export type CodeLocation = { kind: 'file'; file: string; display: string } | { kind: 'inline'; spec: YamlSource; path: YamlPath }

/**
 * A method's implementation, located and read. `origin` is what `CompiledMethod.source` says.
 * Both YAML types carry the raw value and where it is (`path` inside `source`).
 */
export type MethodSource =
  | { implementationType: 'mapping'; raw: unknown; source: YamlSource; path: YamlPath; origin: string }
  | { implementationType: 'rest-api-mapping'; raw: unknown; source: YamlSource; path: YamlPath; origin: string }
  | { implementationType: 'javascript'; code: string; loader: 'js' | 'ts'; location: CodeLocation; origin: string }

/** Locates and reads the implementation of one method entry of spec.yml (`source`). */
export function resolveMethod(folder: ConnectorFolder, source: YamlSource, entry: MethodEntry): { method: MethodSource | undefined; diagnostics: Diagnostic[] } {
  const entryPath = entry.path
  const diagnostics: Diagnostic[] = []
  const fail = (path: YamlPath, message: string, target: 'key' | 'value' = 'value'): { method: undefined; diagnostics: Diagnostic[] } => {
    diagnostics.push(diagnosticAt(source, path, message, { target }))
    return { method: undefined, diagnostics }
  }
  const value = entry.entry
  if (!isRecord(value)) {
    return fail(entryPath, `${entryPath.join('.')} must be a method entry like {type: mapping} or {type: javascript} (implementationType is the older spelling of type)`)
  }
  for (const key of Object.keys(value)) {
    if (!ENTRY_KEYS.includes(key)) {
      diagnostics.push(
        diagnosticAt(source, [...entryPath, key], `unknown key ${key} in ${entryPath.join('.')}${didYouMean(key, ENTRY_KEYS)} (allowed: ${ENTRY_KEYS.join(', ')})`, {
          target: 'key',
        }),
      )
    }
  }
  const entryType = readEntryType(source, entryPath, entry.key, entry.method, value)
  if (!entryType.ok) return { method: undefined, diagnostics: [...diagnostics, ...entryType.diagnostics] }
  if (diagnostics.length > 0) return { method: undefined, diagnostics }
  const { type, typeKey } = entryType

  // Both YAML types are written inline as `mapping:`, JavaScript as `code:`.
  const inlineKey = type === 'javascript' ? 'code' : 'mapping'
  const wrongInlineKey = type === 'javascript' ? 'mapping' : 'code'
  if (value[wrongInlineKey] !== undefined) {
    const typesOfWrongKey = wrongInlineKey === 'code' ? 'javascript' : 'mapping or rest-api-mapping'
    return fail([...entryPath, wrongInlineKey], `${wrongInlineKey} is for ${typeKey} ${typesOfWrongKey}; with ${typeKey} ${type} write ${inlineKey}`, 'key')
  }
  if (value.filePath !== undefined) {
    if (value[inlineKey] !== undefined) {
      diagnostics.push(
        diagnosticAt(source, [...entryPath, inlineKey], `both filePath and ${inlineKey} are set: filePath wins and the inline ${inlineKey} is ignored`, {
          target: 'key',
          severity: 'warning',
        }),
      )
    }
    const fromFile = fromFilePath(folder, source, [...entryPath, 'filePath'], value.filePath, type, typeKey)
    return { method: fromFile.method, diagnostics: [...diagnostics, ...fromFile.diagnostics] }
  }
  const inlineOrigin = `${source.file}#${entryPath.join('.')}`
  if (type !== 'javascript' && value.mapping !== undefined) {
    return { method: { implementationType: type, raw: value.mapping, source, path: [...entryPath, 'mapping'], origin: inlineOrigin }, diagnostics }
  }
  if (type === 'javascript' && value.code !== undefined) {
    if (typeof value.code !== 'string') return fail([...entryPath, 'code'], 'code must be a string of JavaScript (use a block scalar: code: |)')
    const location: CodeLocation = { kind: 'inline', spec: source, path: [...entryPath, 'code'] }
    return { method: { implementationType: 'javascript', code: value.code, loader: 'js', location, origin: inlineOrigin }, diagnostics }
  }
  return fromConvention(folder, source, entryPath, entry, type, typeKey)
}

function fromFilePath(
  folder: ConnectorFolder,
  spec: YamlSource,
  at: YamlPath,
  filePath: unknown,
  type: ImplementationType,
  typeKey: TypeKey,
): { method: MethodSource | undefined; diagnostics: Diagnostic[] } {
  const fail = (message: string): { method: undefined; diagnostics: Diagnostic[] } => ({ method: undefined, diagnostics: [diagnosticAt(spec, at, message)] })
  if (typeof filePath !== 'string' || filePath === '') return fail('filePath must be a path relative to the connector folder, e.g. auth/test.js')
  const file = path.resolve(folder.dir, filePath)
  const relative = path.relative(folder.dir, file)
  if (path.isAbsolute(filePath) || relative.startsWith('..')) return fail(`filePath ${filePath} must stay inside the connector folder ${folder.displayDir}`)
  const suffixType = typeOfFile(filePath)
  if (!suffixType) return fail(`filePath ${filePath} has an unsupported suffix (allowed: ${SUFFIXES.map(([suffix]) => suffix).join(', ')})`)
  if (suffixType !== type) return fail(`filePath ${filePath} is a ${suffixType} file but ${typeKey} is ${type}`)
  if (!existsSync(file) || !statSync(file).isFile()) return fail(`filePath ${filePath} does not exist in ${folder.displayDir}`)
  return readImplementation(folder, relative.split(path.sep).join('/'), type)
}

function fromConvention(
  folder: ConnectorFolder,
  spec: YamlSource,
  entryPath: YamlPath,
  entry: MethodEntry,
  type: ImplementationType,
  typeKey: TypeKey,
): { method: MethodSource | undefined; diagnostics: Diagnostic[] } {
  // An option's own method is looked for in its folder first, then beside the shared ones.
  const folders = entry.option === undefined ? ['auth'] : [`auth/${entry.option}`, 'auth']
  const candidates = folders.map((dir) =>
    conventionalBaseNames(entry.method).flatMap((base) => SUFFIXES.map(([suffix, suffixType]) => ({ name: `${dir}/${base}${suffix}`, suffixType }))),
  )
  const found = candidates.map((tier) => tier.filter((candidate) => folder.authFiles.has(candidate.name.slice('auth/'.length)))).find((tier) => tier.length > 0) ?? []
  const matching = found.filter((candidate) => candidate.suffixType === type)
  const fail = (message: string): { method: undefined; diagnostics: Diagnostic[] } => ({
    method: undefined,
    diagnostics: [diagnosticAt(spec, entryPath, message, { target: 'key' })],
  })
  if (matching.length > 1) {
    return fail(
      `${entry.key} is ambiguous: ${matching.map((candidate) => candidate.name).join(' and ')} are ${matching.length === 2 ? 'both' : 'all'} ${type} files for it; keep one, or set filePath`,
    )
  }
  const chosen = matching[0]
  if (chosen) return readImplementation(folder, chosen.name, type)
  const other = found[0]
  if (other) {
    return fail(`${typeKey} of ${entry.key} is ${type} but the file found is ${other.name} (a ${other.suffixType} file): change ${typeKey} or the file`)
  }
  const expected = candidates
    .flat()
    .filter((candidate) => candidate.suffixType === type)
    .map((candidate) => candidate.name)
  return fail(
    `no implementation for ${entry.key}: add ${expected.join(' or ')} to ${folder.displayDir}, set filePath, or write it inline (${type === 'javascript' ? 'code' : 'mapping'}:)`,
  )
}

function readImplementation(folder: ConnectorFolder, relative: string, type: ImplementationType): { method: MethodSource | undefined; diagnostics: Diagnostic[] } {
  const display = `${folder.displayDir}/${relative}`
  const file = path.join(folder.dir, relative)
  const text = readFileSync(file, 'utf8')
  if (type === 'javascript') {
    const loader = relative.endsWith('.ts') ? 'ts' : 'js'
    return { method: { implementationType: 'javascript', code: text, loader, location: { kind: 'file', file, display }, origin: display }, diagnostics: [] }
  }
  const parsed = parseYamlSource(display, text)
  if (parsed.diagnostics.length > 0) return { method: undefined, diagnostics: parsed.diagnostics }
  return { method: { implementationType: type, raw: parsed.source.value, source: parsed.source, path: [], origin: display }, diagnostics: [] }
}

function typeOfFile(name: string): ImplementationType | undefined {
  return SUFFIXES.find(([suffix]) => name.endsWith(suffix))?.[1]
}
