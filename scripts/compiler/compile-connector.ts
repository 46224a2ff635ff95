/**
 * Compiles one connector folder (`<key>/spec.yml` + `auth/*`) into a `CompiledConnector`
 * and the JavaScript modules its methods need, collecting every problem on the way.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import type { AuthType, CompiledConnector, CompiledMethod, MethodName } from '../../src/registry/types.ts'
import { compileMethod } from './compile-method.ts'
import { compareStrings, hasErrors } from './diagnostics.ts'
import type { Diagnostic } from './diagnostics.ts'
import { inferAuthFromFiles } from './infer-auth.ts'
import { loadSpec } from './load-spec.ts'
import { moduleIdOf } from './method-modules.ts'
import type { MethodModule } from './method-modules.ts'
import type { MethodEntry } from './read-auth-block.ts'
import { resolveMethod } from './resolve-method.ts'
import type { ConnectorFolder } from './resolve-method.ts'

/** A connector key: the folder name, used in URLs (/connect/<key>) and Worker variable names. */
export const KEBAB_CASE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/

/** Keys whose /connect/<key> is one of Latchkey's own routes (src/flow/credential-routes.ts). */
export const RESERVED_KEYS: readonly string[] = ['credentials']

/** The kebab-case key a developer probably meant by `key` (`MyApi` -> `my-api`), for messages. */
export function kebabCaseSuggestion(key: string): string {
  const suggestion = key
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
  return suggestion || 'my-api'
}

/** What one connector contributes to the build. `connector` is set only when it has no errors. */
export interface ConnectorResult {
  connector: CompiledConnector | undefined
  modules: MethodModule[]
  diagnostics: Diagnostic[]
}

/** Compiles the connector in folder `dir` (absolute); `displayDir` is how messages name it. */
export async function compileConnector(dir: string, displayDir: string): Promise<ConnectorResult> {
  const key = path.basename(dir)
  const specFile = `${displayDir}/spec.yml`
  const diagnostics: Diagnostic[] = []
  if (!KEBAB_CASE.test(key)) {
    diagnostics.push(errorAtStart(specFile, `connector folder name "${key}" must be kebab-case (lowercase letters, digits and single dashes), e.g. ${kebabCaseSuggestion(key)}`))
  }
  if (RESERVED_KEYS.includes(key)) {
    diagnostics.push(errorAtStart(specFile, `connector key "${key}" is reserved: /connect/${key} is Latchkey's typed-credentials form; rename the folder`))
  }
  const specPath = path.join(dir, 'spec.yml')
  if (!existsSync(specPath)) {
    diagnostics.push(errorAtStart(specFile, `spec.yml is missing: every folder in ${path.posix.dirname(displayDir)} is a connector and needs <key>/spec.yml`))
    return { connector: undefined, modules: [], diagnostics }
  }
  const authFiles = listAuthFiles(path.join(dir, 'auth'))
  const inferred = inferAuthFromFiles(dir, displayDir, authFiles)
  const loaded = loadSpec(specFile, readFileSync(specPath, 'utf8'), inferred.auth)
  diagnostics.push(...loaded.diagnostics)
  const spec = loaded.spec
  // The ui.yml of the older layout matters only when spec.yml has no auth of its own.
  if (spec?.authPath.length === 0) diagnostics.push(...inferred.diagnostics)
  if (!spec) return { connector: undefined, modules: [], diagnostics }

  // Each entry is compiled once, with the literal checks of every auth type that runs it:
  // a shared method runs in every option that inherits it.
  const folder: ConnectorFolder = { key, dir, displayDir, authFiles }
  const options = spec.options ?? []
  const typesOf = new Map<MethodEntry, AuthType[]>(spec.auth.methods.map((entry) => [entry, spec.options === undefined ? [spec.auth.type] : []]))
  for (const option of options) for (const entry of option.methods) typesOf.set(entry, [...(typesOf.get(entry) ?? []), option.type])
  const compiled = new Map<MethodEntry, CompiledMethod>()
  const modules: MethodModule[] = []
  const results = await Promise.all(
    [...typesOf].map(async ([entry, types]) => {
      const resolved = resolveMethod(folder, spec.source, entry)
      const method = resolved.method ? await compileMethod(moduleIdOf(key, entry.method, entry.option), entry.method, resolved.method, types) : undefined
      return { entry, resolved, method }
    }),
  )
  for (const { entry, resolved, method } of results) {
    diagnostics.push(...resolved.diagnostics, ...(method?.diagnostics ?? []))
    if (method?.compiled) compiled.set(entry, method.compiled)
    if (method?.module) modules.push(method.module)
  }
  if (hasErrors(diagnostics)) return { connector: undefined, modules: [], diagnostics }
  const auth: CompiledConnector['auth'] = { type: spec.auth.type, ...spec.auth.settings, methods: methodsOf(spec.auth.methods, compiled) }
  if (spec.options !== undefined) {
    auth.options = Object.fromEntries(spec.options.map((option) => [option.key, { type: option.type, ...option.settings, methods: methodsOf(option.methods, compiled) }]))
  }
  return { connector: { key, ...spec.description, auth }, modules, diagnostics }
}

// A block's compiled methods in name order, so registry.json and the build log read the same every run.
function methodsOf(entries: readonly MethodEntry[], compiled: ReadonlyMap<MethodEntry, CompiledMethod>): Partial<Record<MethodName, CompiledMethod>> {
  const sorted = [...entries].sort((a, b) => compareStrings(a.method, b.method))
  return Object.fromEntries(
    sorted.flatMap((entry) => {
      const method = compiled.get(entry)
      return method ? [[entry.method, method]] : []
    }),
  )
}

// File names under `auth/`, with one level of option folders (`api-key/test.js`).
function listAuthFiles(authDir: string): Set<string> {
  if (!existsSync(authDir)) return new Set()
  const files = new Set<string>()
  for (const entry of readdirSync(authDir, { withFileTypes: true })) {
    files.add(entry.name)
    if (entry.isDirectory()) for (const name of readdirSync(path.join(authDir, entry.name))) files.add(`${entry.name}/${name}`)
  }
  return files
}

function errorAtStart(file: string, message: string): Diagnostic {
  return { severity: 'error', file, line: 1, column: 1, message }
}
