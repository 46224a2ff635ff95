/**
 * Compiler benchmark: generates 50, 300 and 1000 synthetic connectors (every
 * implementation style) into a temp folder, compiles each set in-process and prints the
 * time of the first (cold) and the best of three runs, plus the time to write the output.
 *
 *   npm run bench:compile        (target: 300 connectors in under 3 s)
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { compileConnectors } from '../scripts/compiler/compile.ts'
import { writeOutput } from '../scripts/compiler/write-output.ts'
import { generateConnectors } from './generate-connectors.ts'

const SIZES = [50, 300, 1000]
const RUNS = 3

const root = mkdtempSync(path.join(tmpdir(), 'latchkey-bench-'))
try {
  console.log('connectors  cold ms  best ms  write ms  files')
  for (const size of SIZES) {
    const sourceDir = path.join(root, `connectors-${size}`)
    const outDir = path.join(root, `out-${size}`)
    generateConnectors(size, sourceDir)
    const times: number[] = []
    let files = new Map<string, string>()
    for (let run = 0; run < RUNS; run++) {
      const started = performance.now()
      const result = await compileConnectors({ rootDir: root, sourceDirs: [sourceDir], outDir })
      times.push(performance.now() - started)
      if (result.diagnostics.some((diagnostic) => diagnostic.severity === 'error')) throw new Error(`generated connectors do not compile: ${result.diagnostics[0]?.message}`)
      files = result.files
    }
    const writeStarted = performance.now()
    writeOutput(outDir, files)
    const writeMs = performance.now() - writeStarted
    const row = [size, times[0] ?? 0, Math.min(...times), writeMs, files.size]
    console.log(row.map((value, index) => (index === 0 || index === 4 ? String(value) : (value as number).toFixed(0)).padStart(index === 0 ? 10 : 8)).join(' '))
  }
} finally {
  rmSync(root, { recursive: true, force: true })
}
