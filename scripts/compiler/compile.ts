/**
 * The connector build, in memory: compiles every connector folder of the source folders
 * and returns all diagnostics of the run together with the output files. Nothing is
 * written here (see `write-output.ts`), so tests can call it freely.
 */
import { existsSync, readdirSync } from 'node:fs'
import path from 'node:path'
import type { CompiledConnector } from '../../src/registry/types.ts'
import { bundleMethodModules } from './bundle-methods.ts'
import { compileConnector } from './compile-connector.ts'
import { compareDiagnostics, compareStrings, hasErrors } from './diagnostics.ts'
import type { Diagnostic } from './diagnostics.ts'
import { emitFiles } from './emit.ts'
import type { OutputFiles } from './emit.ts'

/** Where to read connectors from and where the output will go. */
export interface CompileOptions {
  /** Folders holding `<key>/spec.yml` connector folders; relative to `rootDir` or absolute. */
  sourceDirs: readonly string[]
  /** Output folder, relative to `rootDir` or absolute (import paths in methods.ts depend on it). */
  outDir: string
  /** Paths in messages and output are relative to it. Default: the current directory. */
  rootDir?: string
}

/** The outcome of a build: `files` is empty whenever `diagnostics` has an error. */
export interface CompileResult {
  /** Sorted by file, line, column. */
  diagnostics: Diagnostic[]
  files: OutputFiles
  /** The compiled connectors, sorted by key (empty on error). */
  connectors: CompiledConnector[]
}

/** Compiles every connector under `sourceDirs`; call `writeOutput` with `files` to publish. */
export async function compileConnectors(options: CompileOptions): Promise<CompileResult> {
  const rootDir = path.resolve(options.rootDir ?? process.cwd())
  const outDir = path.resolve(rootDir, options.outDir)
  const diagnostics: Diagnostic[] = []
  const folders: Array<{ dir: string; displayDir: string }> = []
  for (const sourceDir of options.sourceDirs) {
    const absolute = path.resolve(rootDir, sourceDir)
    const display = displayPath(rootDir, absolute)
    if (!existsSync(absolute)) {
      diagnostics.push({ severity: 'error', file: display, line: 1, column: 1, message: `connector source folder ${display} does not exist` })
      continue
    }
    const entries = readdirSync(absolute, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
      .map((entry) => entry.name)
      .sort(compareStrings)
    for (const name of entries) folders.push({ dir: path.join(absolute, name), displayDir: `${display}/${name}` })
  }

  const firstFolderByKey = new Map<string, string>()
  for (const folder of folders) {
    const key = path.basename(folder.dir)
    const first = firstFolderByKey.get(key)
    if (first === undefined) firstFolderByKey.set(key, folder.displayDir)
    else {
      diagnostics.push({
        severity: 'error',
        file: `${folder.displayDir}/spec.yml`,
        line: 1,
        column: 1,
        message: `connector key ${key} is already used by ${first}: connector keys must be unique`,
      })
    }
  }

  const results = await Promise.all(folders.map((folder) => compileConnector(folder.dir, folder.displayDir)))
  for (const result of results) diagnostics.push(...result.diagnostics)
  diagnostics.sort(compareDiagnostics)
  if (hasErrors(diagnostics)) return { diagnostics, files: new Map(), connectors: [] }

  const bundled = await bundleMethodModules(
    results.flatMap((result) => result.modules),
    rootDir,
  )
  if (hasErrors(bundled.diagnostics)) return { diagnostics: [...diagnostics, ...bundled.diagnostics].sort(compareDiagnostics), files: new Map(), connectors: [] }
  const connectors = results.flatMap((result) => (result.connector ? [result.connector] : [])).sort((a, b) => compareStrings(a.key, b.key))
  return { diagnostics, files: emitFiles(connectors, bundled.modules, outDir), connectors }
}

/** `absolute` relative to `rootDir`, with forward slashes: how files are named in messages. */
export function displayPath(rootDir: string, absolute: string): string {
  return path.relative(rootDir, absolute).split(path.sep).join('/') || '.'
}
