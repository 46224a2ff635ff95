/**
 * Vitest globalSetup of the workerd tier: compiles `connectors/`, the test-only connectors of
 * `test/fixtures/connectors/` and the local demo's connector into src/registry/generated/
 * before any Worker test runs (the test pool does not run wrangler's [build] command). The
 * demo connector is included so that the browser test's own build (which compiles it) leaves
 * the registry the workerd tests see unchanged.
 */
import { fileURLToPath } from 'node:url'
import { compileConnectors } from '../../scripts/compiler/compile.ts'
import { formatDiagnostic, hasErrors } from '../../scripts/compiler/diagnostics.ts'
import { writeOutput } from '../../scripts/compiler/write-output.ts'

const ROOT_DIR = fileURLToPath(new URL('../..', import.meta.url))

/** Compiles the registry the Worker under test imports; a connector error fails the run. */
export default async function compileTestConnectors(): Promise<void> {
  const sourceDirs = ['connectors', 'test/fixtures/connectors', 'examples/demo/connectors']
  const result = await compileConnectors({ rootDir: ROOT_DIR, sourceDirs, outDir: 'src/registry/generated' })
  if (hasErrors(result.diagnostics)) {
    throw new Error(`connectors do not compile:\n${result.diagnostics.map(formatDiagnostic).join('\n')}`)
  }
  writeOutput(`${ROOT_DIR}/src/registry/generated`, result.files)
}
