/**
 * npm start's watch of the sources (scripts/dev/source-watch.ts): one report per burst of
 * edits, the build's output ignored, and a file replaced by rename still watched.
 */
import { appendFileSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { type SourceWatch, watchSources } from '../../scripts/dev/source-watch.ts'

let root: string
let watch: SourceWatch | undefined
const reports: string[][] = []
let nextReport: (() => void) | undefined

/** Resolves with the next report. */
function reported(): Promise<string[]> {
  const seen = reports.length
  return new Promise((resolve) => {
    nextReport = () => resolve(reports[seen] ?? [])
  })
}

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'latchkey-source-watch-'))
  mkdirSync(path.join(root, 'connectors/github'), { recursive: true })
  mkdirSync(path.join(root, 'src/registry/generated'), { recursive: true })
  writeFileSync(path.join(root, 'connectors/github/spec.yml'), 'name: GitHub\n')
  reports.length = 0
  watch = watchSources({
    rootDir: root,
    dirs: ['connectors', 'src', 'missing'],
    ignoredPrefixes: ['src/registry/generated'],
    onChange: (files) => {
      reports.push(files)
      nextReport?.()
    },
    onError: (dir, error) => {
      throw new Error(`watching ${dir} failed: ${error.message}`)
    },
  })
})

afterEach(() => {
  watch?.close()
  rmSync(root, { recursive: true, force: true })
})

it('reports edits made together once, without the build output or editor scratch files', async () => {
  const next = reported()
  writeFileSync(path.join(root, 'src/registry/generated/registry.json'), '{}')
  mkdirSync(path.join(root, 'src/registry/generated.tmp-1'))
  writeFileSync(path.join(root, 'connectors/github/.spec.yml.swp'), '')
  appendFileSync(path.join(root, 'connectors/github/spec.yml'), '# one\n')
  appendFileSync(path.join(root, 'connectors/github/spec.yml'), '# two\n')
  expect(await next).toEqual(['connectors/github/spec.yml'])
  const after = reported()
  writeFileSync(path.join(root, 'src/index.ts'), 'export {}\n')
  expect(await after).toEqual(['src/index.ts'])
  expect(reports).toHaveLength(2)
})

it('keeps reporting a file replaced by rename, and files of a folder created later', async () => {
  const replaced = reported()
  writeFileSync(path.join(root, 'connectors/github/spec.yml.new'), 'name: GitHub 2\n')
  renameSync(path.join(root, 'connectors/github/spec.yml.new'), path.join(root, 'connectors/github/spec.yml'))
  expect(await replaced).toContain('connectors/github/spec.yml')
  const edited = reported()
  appendFileSync(path.join(root, 'connectors/github/spec.yml'), '# edited\n')
  expect(await edited).toEqual(['connectors/github/spec.yml'])
  const created = reported()
  mkdirSync(path.join(root, 'connectors/zendesk'))
  expect(await created).toEqual(['connectors/zendesk'])
  const inNewFolder = reported()
  writeFileSync(path.join(root, 'connectors/zendesk/spec.yml'), 'name: Zendesk\n')
  expect(await inNewFolder).toEqual(['connectors/zendesk/spec.yml'])
})
