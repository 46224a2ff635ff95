/**
 * Vitest globalSetup of the workerd and compat tiers: compiles TEST_CONNECTOR_DIRS into
 * src/registry/generated/ before any Worker test runs (the test pool does not run wrangler's
 * [build] command). The browser test's own build compiles the same list, so the registry the
 * workerd tests see never changes under them.
 *
 * The compat connectors (test/compat/connectors/) are written against the documented format,
 * sometimes ahead of the compiler: when only they fail to compile, the rest is compiled
 * without them and their diagnostics are provided as `compatCompileErrors`, so each compat
 * test fails on its own "is in the registry" check instead of every Worker test failing.
 */
import type { TestProject } from 'vitest/node'
import { fileURLToPath } from 'node:url'
import { DEMO_CONNECTOR_DIR } from '../../scripts/dev/development-defaults.ts'
import { compileConnectors } from '../../scripts/compiler/compile.ts'
import { formatDiagnostic, hasErrors } from '../../scripts/compiler/diagnostics.ts'
import { writeOutput } from '../../scripts/compiler/write-output.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    /** Formatted build errors of compat connectors left out of the registry (empty when all compiled). */
    compatCompileErrors: string[]
  }
}

const ROOT_DIR = fileURLToPath(new URL('../..', import.meta.url))

/** Folder of the compat suite's connectors (real providers' URLs). */
export const COMPAT_CONNECTOR_DIR = 'test/compat/connectors'

/**
 * Every connector folder compiled for tests: the examples, the test-only fixtures, the local
 * demo's connector and the compat connectors. One list for the workerd/compat globalSetup and
 * the browser test's build, which write the same src/registry/generated/.
 */
export const TEST_CONNECTOR_DIRS: readonly string[] = ['connectors', 'test/fixtures/connectors', DEMO_CONNECTOR_DIR, COMPAT_CONNECTOR_DIR]

/** Compiles the registry the Worker under test imports; an error outside the compat connectors fails the run. */
export default async function compileTestConnectors(project: TestProject): Promise<void> {
  const outDir = 'src/registry/generated'
  let result = await compileConnectors({ rootDir: ROOT_DIR, sourceDirs: TEST_CONNECTOR_DIRS, outDir })
  let compatCompileErrors: string[] = []
  const errors = result.diagnostics.filter((diagnostic) => diagnostic.severity === 'error')
  if (errors.length > 0 && errors.every((diagnostic) => diagnostic.file.startsWith(`${COMPAT_CONNECTOR_DIR}/`))) {
    compatCompileErrors = errors.map(formatDiagnostic)
    const withoutCompat = TEST_CONNECTOR_DIRS.filter((dir) => dir !== COMPAT_CONNECTOR_DIR)
    result = await compileConnectors({ rootDir: ROOT_DIR, sourceDirs: withoutCompat, outDir })
  }
  if (hasErrors(result.diagnostics)) {
    throw new Error(`connectors do not compile:\n${result.diagnostics.map(formatDiagnostic).join('\n')}`)
  }
  writeOutput(`${ROOT_DIR}/${outDir}`, result.files)
  project.provide('compatCompileErrors', compatCompileErrors)
}
