/**
 * JavaScript method modules run on a method's first call, not when the Worker starts
 * (scripts/compiler/lazy-module.ts, methods.ts): bundled with esbuild as wrangler does, importing
 * methods.ts runs no module; the first calls, even concurrent ones, run a module once; a module
 * whose top level throws fails its method's calls, not the import.
 */
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { build } from 'esbuild'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeOutput } from '../../scripts/compiler/write-output.ts'
import { compileTree, removeTrees, VALID_SPEC, validConnector, writeTree } from '../compiler/connector-tree.ts'

afterAll(removeTrees)

type Methods = Record<string, (args: Record<string, unknown>) => unknown>
type Counters = { evaluated: Record<string, number> }

const counters = globalThis as typeof globalThis & { latchkeyLazyTest?: Counters }

// Each module counts its own evaluation on globalThis.
const counting = (key: string, body: string): string =>
  `const state = globalThis.latchkeyLazyTest\nstate.evaluated[${JSON.stringify(key)}] = (state.evaluated[${JSON.stringify(key)}] ?? 0) + 1\nlet calls = 0\n${body}`

describe('JavaScript method modules', () => {
  let methods: Methods

  beforeAll(async () => {
    counters.latchkeyLazyTest = { evaluated: {} }
    const root = writeTree({
      ...validConnector('esm', VALID_SPEC, {
        'auth/test.js': counting('esm', "export async function test({ value }) {\n  calls += 1\n  return ['esm', value, calls].join(':')\n}\n"),
      }),
      ...validConnector('cjs', VALID_SPEC, { 'auth/test.js': counting('cjs', "exports.test = ({ value }) => 'cjs:' + value\n") }),
      ...validConnector('broken', VALID_SPEC, { 'auth/test.js': counting('broken', 'throw new Error("top level failed")\nexport default async function test() {}\n') }),
    })
    const result = await compileTree(root)
    expect(result.diagnostics).toEqual([])
    writeOutput(path.join(root, 'out'), result.files)
    const alias = { 'latchkey:connector-fetch': fileURLToPath(new URL('../../src/connector-sdk/connector-fetch.ts', import.meta.url)) }
    const bundle = await build({ entryPoints: [path.join(root, 'out/methods.ts')], bundle: true, format: 'esm', write: false, logLevel: 'silent', alias })
    const bundleFile = path.join(root, 'bundle.mjs')
    writeFileSync(bundleFile, bundle.outputFiles[0]?.text ?? '')
    methods = ((await import(pathToFileURL(bundleFile).href)) as { methods: Methods }).methods
  })

  it('runs no module when methods.ts is imported', () => {
    expect(Object.keys(methods).sort()).toEqual(['broken/test', 'cjs/test', 'esm/test'])
    expect(counters.latchkeyLazyTest?.evaluated).toEqual({})
  })

  it('runs a module once, on the first calls, even concurrent ones, and keeps its state', async () => {
    const first = await Promise.all([methods['esm/test']?.({ value: 1 }), methods['esm/test']?.({ value: 2 })])
    expect(first.sort()).toEqual(['esm:1:1', 'esm:2:2'])
    expect(await methods['esm/test']?.({ value: 3 })).toBe('esm:3:3')
    expect(await methods['cjs/test']?.({ value: 4 })).toBe('cjs:4')
    expect(counters.latchkeyLazyTest?.evaluated).toEqual({ esm: 1, cjs: 1 })
  })

  it('fails the calls of a module whose top level throws, and only those', async () => {
    await expect(methods['broken/test']?.({})).rejects.toThrow('top level failed')
    await expect(methods['broken/test']?.({})).rejects.toThrow('top level failed')
    expect(counters.latchkeyLazyTest?.evaluated['broken']).toBe(1)
  })
})
