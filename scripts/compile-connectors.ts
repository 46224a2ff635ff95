/**
 * `npm run build`: compiles connector specs into src/registry/generated/ (registry.json,
 * methods.ts, modules/). Also wrangler's [build] command.
 *
 *   tsx scripts/compile-connectors.ts [--out DIR] [SOURCE_DIR ...]
 *
 * Defaults: out `src/registry/generated`; sources from the command line, else from the
 * environment variable LATCHKEY_CONNECTOR_DIRS (comma-separated; `npm start` sets it so that
 * wrangler dev's own [build] step compiles the demo connector too), else `connectors`.
 * Every error of the run is printed as `file:line:col message`; on any error the exit code
 * is 1 and nothing is written. A table of the compiled connectors precedes the summary line,
 * except under `wrangler dev` (it runs this on every rebuild, WRANGLER_COMMAND=dev) unless
 * LATCHKEY_VERBOSE=1.
 */
import { performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import type { CompiledConnector } from '../src/registry/types.ts'
import { compileConnectors } from './compiler/compile.ts'
import { formatDiagnostic, hasErrors } from './compiler/diagnostics.ts'
import { writeOutput } from './compiler/write-output.ts'
import { isVerboseOutput } from './dev/verbose-output.ts'

const USAGE = 'usage: tsx scripts/compile-connectors.ts [--out DIR] [SOURCE_DIR ...]'

async function main(): Promise<number> {
  let parsed: ReturnType<typeof parseArgs<{ options: { out: { type: 'string' } }; allowPositionals: true }>>
  try {
    parsed = parseArgs({ options: { out: { type: 'string' } }, allowPositionals: true })
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`)
    return 2
  }
  const started = performance.now()
  const outDir = parsed.values.out ?? 'src/registry/generated'
  const fromEnvironment = (process.env['LATCHKEY_CONNECTOR_DIRS'] ?? '')
    .split(',')
    .map((dir) => dir.trim())
    .filter((dir) => dir !== '')
  const sourceDirs = parsed.positionals.length > 0 ? parsed.positionals : fromEnvironment.length > 0 ? fromEnvironment : ['connectors']
  const result = await compileConnectors({ sourceDirs, outDir })
  const errors = result.diagnostics.filter((diagnostic) => diagnostic.severity === 'error').length
  const warnings = result.diagnostics.length - errors
  for (const diagnostic of result.diagnostics) console.error(formatDiagnostic(diagnostic))
  if (hasErrors(result.diagnostics)) {
    console.error(`connectors: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}; nothing written to ${outDir}`)
    return 1
  }
  if (process.env['WRANGLER_COMMAND'] !== 'dev' || isVerboseOutput()) printTable(result.connectors)
  const changed = writeOutput(outDir, result.files)
  const elapsed = Math.round(performance.now() - started)
  console.log(`connectors: ${result.connectors.length} compiled, ${warnings} warning${warnings === 1 ? '' : 's'}, ${elapsed} ms -> ${outDir}${changed ? '' : ' (unchanged)'}`)
  return 0
}

/** One line per connector: key, name, and how it authenticates. */
function printTable(connectors: CompiledConnector[]): void {
  const keyWidth = Math.max(0, ...connectors.map((connector) => connector.key.length))
  const nameWidth = Math.max(0, ...connectors.map((connector) => connector.name.length))
  for (const connector of connectors) {
    console.log(`  ${connector.key.padEnd(keyWidth)}  ${connector.name.padEnd(nameWidth)}  ${authSummary(connector)}`)
  }
}

// `oauth2  getOAuthConfig=mapping ...`; with options, each option's key and type instead
// (their methods are in registry.json), so a line stays a line.
function authSummary(connector: CompiledConnector): string {
  const options = Object.entries(connector.auth.options ?? {})
  if (options.length > 0) return `options ${options.map(([key, option]) => `${key}=${option.type}`).join(' ')}`
  const methods = Object.entries(connector.auth.methods).map(([name, method]) => `${name}=${method.implementationType}`)
  return `${connector.auth.type}  ${methods.join(' ')}`
}

process.exitCode = await main()
