/**
 * The Node 20 stand-in for `fs.globSync` (scripts/conformance/node20-fs-shim.mjs) that the MCP
 * conformance package gets under the module hook: matching as Node 22's glob does for the
 * patterns the package uses, paths relative to `cwd`, and a refusal for what it does not implement.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { globPatternRegExp, globSync } from '../../scripts/conformance/node20-fs-shim.mjs'

describe('globPatternRegExp', () => {
  it.each([
    ['**/checks.json', 'checks.json', true],
    ['**/checks.json', 'auth/metadata-default-2026/checks.json', true],
    ['**/checks.json', 'a/b/c/checks.json', true],
    ['**/checks.json', 'a/checks.json.bak', false],
    ['**/checks.json', 'a/xchecks.json', false],
    ['**/checks.json', '.hidden/checks.json', false],
    ['*.json', 'checks.json', true],
    ['*.json', 'a/checks.json', false],
    ['a/?.txt', 'a/b.txt', true],
    ['a/?.txt', 'a/bc.txt', false],
    ['a.b', 'axb', false],
  ])('%s matches %s: %s', (pattern, candidate, matches) => {
    expect(globPatternRegExp(pattern).test(candidate)).toBe(matches)
  })
})

describe('globSync', () => {
  let root: string
  beforeAll(() => {
    root = mkdtempSync(path.join(tmpdir(), 'latchkey-glob-'))
    for (const file of ['checks.json', 'auth/one-1/checks.json', 'auth/one-1/stdout.txt', 'two-2/checks.json', 'two-2/deeper/other.json']) {
      mkdirSync(path.dirname(path.join(root, file)), { recursive: true })
      writeFileSync(path.join(root, file), '[]')
    }
  })
  afterAll(() => rmSync(root, { recursive: true, force: true }))

  it('finds every file of that name below cwd, as paths relative to it', () => {
    expect(globSync('**/checks.json', { cwd: root })).toEqual(['auth/one-1/checks.json', 'checks.json', 'two-2/checks.json'])
  })

  it('takes cwd as a file URL too', () => {
    expect(globSync('*/checks.json', { cwd: new URL(`file://${root}/`) })).toEqual(['two-2/checks.json'])
  })

  it('refuses patterns and options it does not implement rather than matching differently', () => {
    expect(() => globSync('**/{a,b}.json', { cwd: root })).toThrow(/unsupported pattern/)
    expect(() => globSync('/abs/*.json', { cwd: root })).toThrow(/unsupported pattern/)
    expect(() => globSync('*.json', { cwd: root, withFileTypes: true } as never)).toThrow(/unsupported options withFileTypes/)
  })
})
