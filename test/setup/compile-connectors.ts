/**
 * Vitest globalSetup of the workerd tier: compiles `connectors/` plus the test-only
 * connectors of `test/fixtures/connectors/` into src/registry/generated/ before any
 * Worker test runs (the test pool does not run wrangler's [build] command).
 */
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { compileConnectors } from '../../scripts/compiler/compile.ts'
import { formatDiagnostic, hasErrors } from '../../scripts/compiler/diagnostics.ts'
import { writeOutput } from '../../scripts/compiler/write-output.ts'

const ROOT_DIR = fileURLToPath(new URL('../..', import.meta.url))

/** Compiles the registry the Worker under test imports; a connector error fails the run. */
export default async function compileTestConnectors(): Promise<void> {
  // The fixtures folder appears once some test needs its own connector.
  const sourceDirs = ['connectors', 'test/fixtures/connectors'].filter((dir) => existsSync(`${ROOT_DIR}/${dir}`))
  const result = await compileConnectors({ rootDir: ROOT_DIR, sourceDirs, outDir: 'src/registry/generated' })
  if (hasErrors(result.diagnostics)) {
    throw new Error(`connectors do not compile:\n${result.diagnostics.map(formatDiagnostic).join('\n')}`)
  }
  writeOutput(`${ROOT_DIR}/src/registry/generated`, result.files)
}
