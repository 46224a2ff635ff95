/**
 * The machine a bench ran on, for the report: numbers mean little without it.
 */
import { readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { REPO_ROOT } from './paths.ts'

/** One line per fact: CPUs, CPU model, memory, load, Node, wrangler and workerd versions. */
export function describeMachine(): string[] {
  const cpuModel = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? os.cpus()[0]?.model ?? 'unknown'
  const version = (packageJson: string): string => (JSON.parse(readFileSync(path.join(REPO_ROOT, packageJson), 'utf8')) as { version: string }).version
  return [
    `nproc: ${os.availableParallelism()}`,
    `CPU: ${cpuModel}`,
    `memory: ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    `load average (1/5/15 min) at start: ${loadAverage()}`,
    `node: ${process.version}, wrangler: ${version('node_modules/wrangler/package.json')}, workerd: ${version('node_modules/wrangler/node_modules/workerd/package.json')}`,
  ]
}

/** The 1, 5 and 15 minute load averages: other work on the machine shows up in every number. */
export function loadAverage(): string {
  return os
    .loadavg()
    .map((value) => value.toFixed(2))
    .join(' / ')
}
