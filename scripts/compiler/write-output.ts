/**
 * Publishes the build output: the whole folder is written next to the old one and swapped
 * in by rename, so readers never see half a registry and files of removed connectors do
 * not linger. An unchanged output is left alone, so nothing that watches the folder sees a
 * change that is not one.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import type { OutputFiles } from './emit.ts'

/** Replaces `outDir` with exactly `files`; returns whether anything changed on disk. */
export function writeOutput(outDir: string, files: OutputFiles): boolean {
  const target = path.resolve(outDir)
  if (sameContent(target, files)) return false
  const unique = `${process.pid}-${Math.random().toString(36).slice(2, 10)}`
  const staging = `${target}.tmp-${unique}`
  try {
    mkdirSync(staging, { recursive: true })
    for (const [relative, content] of files) {
      const file = path.join(staging, relative)
      mkdirSync(path.dirname(file), { recursive: true })
      writeFileSync(file, content)
    }
    swapIn(staging, target, `${target}.old-${unique}`)
  } finally {
    rmSync(staging, { recursive: true, force: true })
  }
  return true
}

// Another build (a second test run) may swap at the same moment: retry until ours lands.
function swapIn(staging: string, target: string, retiredPrefix: string): void {
  const retired: string[] = []
  try {
    for (let attempt = 0; ; attempt++) {
      const old = `${retiredPrefix}-${attempt}`
      try {
        renameSync(target, old)
        retired.push(old)
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
      }
      try {
        renameSync(staging, target)
        return
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code
        if (attempt >= 5 || (code !== 'ENOTEMPTY' && code !== 'EEXIST')) throw error
      }
    }
  } finally {
    for (const old of retired) rmSync(old, { recursive: true, force: true })
  }
}

function sameContent(dir: string, files: OutputFiles): boolean {
  if (!existsSync(dir)) return false
  const existing = listFiles(dir)
  if (existing.length !== files.size) return false
  return existing.every((relative) => files.get(relative) === readFileSync(path.join(dir, relative), 'utf8'))
}

function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listFiles(path.join(dir, entry.name), `${prefix}${entry.name}/`) : [`${prefix}${entry.name}`],
  )
}
