/**
 * Compiles one connector folder (`<key>/spec.yml` + `auth/*`) into a `CompiledConnector`
 * and the JavaScript modules its methods need, collecting every problem on the way.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import type { CompiledConnector, CompiledMethod, MethodName } from '../../src/registry/types.ts'
import { compileMethod } from './compile-method.ts'
import { compareStrings, hasErrors } from './diagnostics.ts'
import type { Diagnostic } from './diagnostics.ts'
import { inferAuthFromFiles } from './infer-auth.ts'
import { loadSpec } from './load-spec.ts'
import type { MethodModule } from './method-modules.ts'
import { resolveMethod } from './resolve-method.ts'
import type { ConnectorFolder } from './resolve-method.ts'

const KEBAB_CASE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/

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
    const suggestion = key
      .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
    diagnostics.push(errorAtStart(specFile, `connector folder name "${key}" must be kebab-case (lowercase letters, digits and single dashes), e.g. ${suggestion || 'my-api'}`))
  }
  const specPath = path.join(dir, 'spec.yml')
  if (!existsSync(specPath)) {
    diagnostics.push(errorAtStart(specFile, `spec.yml is missing: every folder in ${path.posix.dirname(displayDir)} is a connector and needs <key>/spec.yml`))
    return { connector: undefined, modules: [], diagnostics }
  }
  const authDir = path.join(dir, 'auth')
  const authFiles = new Set(existsSync(authDir) ? readdirSync(authDir) : [])
  const inferred = inferAuthFromFiles(dir, displayDir, authFiles)
  const loaded = loadSpec(specFile, readFileSync(specPath, 'utf8'), inferred.auth)
  diagnostics.push(...loaded.diagnostics)
  const spec = loaded.spec
  // The ui.yml of the older layout matters only when spec.yml has no auth of its own.
  if (spec?.authPath.length === 0) diagnostics.push(...inferred.diagnostics)
  if (!spec) return { connector: undefined, modules: [], diagnostics }

  const folder: ConnectorFolder = { key, dir, displayDir, authFiles }
  const methods: Partial<Record<MethodName, CompiledMethod>> = {}
  const modules: MethodModule[] = []
  const results = await Promise.all(
    spec.methods.map(async (entry) => {
      const resolved = resolveMethod(folder, spec, entry)
      const compiled = resolved.method ? await compileMethod(key, entry.method, resolved.method) : undefined
      return { entry, resolved, compiled }
    }),
  )
  // Methods in name order, so registry.json and the build log read the same every run.
  results.sort((a, b) => compareStrings(a.entry.method, b.entry.method))
  for (const { entry, resolved, compiled } of results) {
    diagnostics.push(...resolved.diagnostics, ...(compiled?.diagnostics ?? []))
    if (compiled?.compiled) methods[entry.method] = compiled.compiled
    if (compiled?.module) modules.push(compiled.module)
  }
  if (hasErrors(diagnostics)) return { connector: undefined, modules: [], diagnostics }
  const { auth, ...described } = spec.description
  return { connector: { key, ...described, auth: { ...auth, methods } }, modules, diagnostics }
}

function errorAtStart(file: string, message: string): Diagnostic {
  return { severity: 'error', file, line: 1, column: 1, message }
}
