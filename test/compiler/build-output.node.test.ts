/**
 * What a build run produces: every problem of the run at once, nothing written on error,
 * byte-identical output for the same input, an atomic output folder without stale files,
 * and the CLI's exit code and log.
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { formatDiagnostic } from '../../scripts/compiler/diagnostics.ts'
import { lazyModule } from '../../scripts/compiler/lazy-module.ts'
import { writeOutput } from '../../scripts/compiler/write-output.ts'
import { compileFiles, compileTree, listFiles, removeTrees, VALID_SPEC, validConnector, writeTree } from './connector-tree.ts'

afterAll(removeTrees)

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url))
const CLI = path.join(PROJECT_ROOT, 'scripts/compile-connectors.ts')
const TSX = path.join(PROJECT_ROOT, 'node_modules/.bin/tsx')

const CJS_TEST = 'exports.test = async ({ credentials }) => Boolean(credentials)\n'

const TWO_WAYS_SPEC = `name: Two ways
auth:
  makeApiClient: {type: mapping}
  test: {type: javascript}
  options:
    api-key: {type: client-credentials}
    oauth: {type: oauth2, getOAuthConfig: {type: mapping}}
`

function runCli(cwd: string, args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(TSX, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, ...env } })
  return { status: run.status, stdout: run.stdout, stderr: run.stderr }
}

describe('a build run', () => {
  it('reports every error of every connector together, sorted by file and line', async () => {
    const { messages, files } = await compileFiles({
      ...validConnector('alpha', VALID_SPEC.replace('type: oauth2', 'type: oauht2')),
      ...validConnector('beta', VALID_SPEC.replace('  type: oauth2\n', '  type: oauth2\n  titel: Beta\n'), {
        'auth/test.js': 'exports.check = async () => true\n',
        'auth/make-api-client.map.yml': 'baseUri: {$var: credentials..baseUri}\n',
      }),
    })
    expect(messages.map((message) => message.split(' ')[0])).toEqual([
      'connectors/alpha/spec.yml:3:9',
      'connectors/beta/auth/make-api-client.map.yml:1:17',
      'connectors/beta/auth/test.js:1:1',
      'connectors/beta/spec.yml:4:3',
    ])
    expect(files.size).toBe(0)
  })

  it('warns once per connector about top-level sections it ignores, and still compiles', async () => {
    const spec = `${VALID_SPEC}data:\n  contacts: {}\noperations:\n  list-contacts: {}\nevents: {}\n`
    const { messages, files } = await compileFiles(validConnector('demo', spec))
    expect(messages).toEqual([
      'connectors/demo/spec.yml:10:1 warning: ignoring top-level sections data, operations, events: Latchkey reads only name, logoUri, parametersSchema, auth, ui',
    ])
    expect(files.has('registry.json')).toBe(true)
  })

  it('warns that filePath wins over an inline mapping given too', async () => {
    const spec = VALID_SPEC.replace(
      '  makeApiClient:\n    implementationType: mapping\n',
      '  makeApiClient:\n    implementationType: mapping\n    filePath: auth/make-api-client.map.yml\n    mapping: {baseUri: https://ignored.example.test}\n',
    )
    const { messages, connectors } = await compileFiles(validConnector('demo', spec))
    expect(messages).toEqual(['connectors/demo/spec.yml:9:5 warning: both filePath and mapping are set: filePath wins and the inline mapping is ignored'])
    expect(connectors[0]?.auth.methods.makeApiClient?.source).toBe('connectors/demo/auth/make-api-client.map.yml')
  })

  it('rejects the same connector key in two source folders', async () => {
    const root = writeTree({ ...validConnector('demo'), ...prefixed('test/fixtures', validConnector('demo')) })
    const result = await compileTree(root, ['connectors', 'test/fixtures/connectors'])
    expect(result.diagnostics.map(formatDiagnostic)).toEqual([
      'test/fixtures/connectors/demo/spec.yml:1:1 connector key demo is already used by connectors/demo: connector keys must be unique',
    ])
  })

  it('rejects a source folder that does not exist', async () => {
    const root = writeTree(validConnector('demo'))
    const result = await compileTree(root, ['connectors', 'more-connectors'])
    expect(result.diagnostics.map(formatDiagnostic)).toEqual(['more-connectors:1:1 connector source folder more-connectors does not exist'])
  })

  it('produces byte-identical output for the same input, without absolute paths', async () => {
    const tree = {
      ...validConnector('zeta', VALID_SPEC, { 'auth/test.js': CJS_TEST }),
      ...validConnector(
        'alpha',
        `${VALID_SPEC}  getTokenData:\n    implementationType: javascript\n    code: |\n      async ({ codeVerifier }) => ({ access_token: codeVerifier })\n`,
      ),
    }
    const root = writeTree(tree)
    const first = await compileTree(root)
    const second = await compileTree(root)
    expect([...second.files]).toEqual([...first.files])
    expect([...first.files.keys()].sort()).toEqual(['methods.ts', 'modules/alpha/getTokenData.js', 'modules/alpha/test.js', 'modules/zeta/test.js', 'registry.json'])
    expect(Object.keys(JSON.parse(first.files.get('registry.json') ?? '{}').connectors)).toEqual(['alpha', 'zeta'])
    for (const content of first.files.values()) expect(content).not.toContain(root)
  })

  it('writes registry.json minified, each connector as its head and its methods in JSON text', async () => {
    const { files, connectors } = await compileFiles({ ...validConnector('zeta'), ...validConnector('two-ways', TWO_WAYS_SPEC) })
    const text = files.get('registry.json') ?? ''
    expect(text.endsWith('}\n')).toBe(true)
    expect(text.trimEnd()).not.toContain('\n')
    expect(text).not.toMatch(/": /)
    const registry = JSON.parse(text) as { formatVersion: number; connectors: Record<string, unknown> }
    expect(registry.formatVersion).toBe(2)
    expect(Object.keys(registry.connectors)).toEqual(['two-ways', 'zeta'])
    for (const connector of connectors) {
      const entry = registry.connectors[connector.key] as [string, string]
      expect(entry).toEqual([expect.any(String), expect.any(String)])
      const { methods, options, ...auth } = connector.auth
      const head = JSON.parse(entry[0])
      const optionHeads = options && Object.fromEntries(Object.entries(options).map(([key, option]) => [key, { ...option, methods: 0 }]))
      expect(head).toEqual({ ...connector, auth: { ...auth, methods: 0, ...(optionHeads ? { options: optionHeads } : {}) } })
      const optionMethods = Object.fromEntries(Object.entries(options ?? {}).map(([key, option]) => [key, option.methods]))
      expect(JSON.parse(entry[1])).toEqual([methods, optionMethods])
    }
  })

  it('writes each method module as a factory methods.ts runs on first call, its imports kept at the top', async () => {
    const { files } = await compileFiles({
      ...validConnector('zeta', VALID_SPEC, { 'auth/test.js': CJS_TEST }),
      ...validConnector('alpha', VALID_SPEC, { 'auth/test.js': 'const calls = []\nexport async function test() {\n  calls.push(1)\n  return fetch("https://example.test")\n}\n' }),
    })
    for (const key of ['alpha', 'zeta']) {
      const code = files.get(`modules/${key}/test.js`) ?? ''
      const lines = code.split('\n')
      const factory = lines.indexOf('export default async function () {')
      expect(factory, code).toBeGreaterThan(0)
      // Above the factory: comments and the imports only (the injected connector fetch).
      expect(lines.slice(0, factory).filter((line) => !line.startsWith('//'))).toEqual(['import { connectorFetch } from "latchkey:connector-fetch";'])
      expect(code).not.toMatch(/^export \{/m)
      expect(code.trimEnd().endsWith('}')).toBe(true)
    }
    expect(files.get('modules/alpha/test.js')).toMatch(/return \{ "test": test \};\n\}\n$/)
    expect(files.get('modules/zeta/test.js')).toMatch(/return \{ "default": \w+ \};\n\}\n$/)
    const methods = files.get('methods.ts') ?? ''
    expect(methods).toContain('import l0 from "./modules/alpha/test.js"')
    expect(methods).toContain('const m0 = lazyMethod(l0, "test")')
    expect(methods).toContain('const m1 = lazyMethod(l1, "default")')
    expect(methods).toMatch(/"alpha\/test": m0,\n {2}"zeta\/test": m1,/)
  })

  it('turns only the module shape esbuild prints into a factory, and leaves any other as it is', () => {
    expect(lazyModule('// header\nimport { a } from "x";\nconst b = a + 1;\nfunction c() {}\nexport {\n  b as default,\n  c\n};\n')).toBe(
      '// header\nimport { a } from "x";\nexport default async function () {\nconst b = a + 1;\nfunction c() {}\nreturn { "default": b, "c": c };\n}\n',
    )
    // An imported binding exported again (the lexer cannot name its local alias).
    expect(lazyModule('import { a } from "x";\nexport { a };\n')).toBeNull()
    expect(lazyModule('export function f() {}\n')).toBeNull()
    expect(lazyModule('export default 42\n')).toBeNull()
    expect(lazyModule('export { a } from "x";\n')).toBeNull()
    expect(lazyModule('export * from "x";\n')).toBeNull()
    expect(lazyModule('import source wasm from "x.wasm";\nexport { wasm };\n')).toBeNull()
  })
})

describe('writing the output', () => {
  it('replaces the folder so files of removed connectors do not linger', async () => {
    const root = writeTree({ ...validConnector('one', VALID_SPEC, { 'auth/test.js': CJS_TEST }), ...validConnector('two', VALID_SPEC, { 'auth/test.js': CJS_TEST }) })
    const outDir = path.join(root, 'out')
    writeOutput(outDir, (await compileTree(root)).files)
    expect(listFiles(outDir)).toContain('modules/two/test.js')

    rmSync(path.join(root, 'connectors/two'), { recursive: true })
    writeOutput(outDir, (await compileTree(root)).files)
    expect(listFiles(outDir)).toEqual(['methods.ts', 'modules/one/test.js', 'registry.json'])
    expect(readdirSync(root).sort()).toEqual(['connectors', 'out'])
  })

  it('leaves an unchanged output untouched, so a watcher on src/ does not loop', async () => {
    const root = writeTree(validConnector('demo'))
    const outDir = path.join(root, 'out')
    const { files } = await compileTree(root)
    expect(writeOutput(outDir, files)).toBe(true)
    const before = statSync(path.join(outDir, 'registry.json')).mtimeMs
    expect(writeOutput(outDir, files)).toBe(false)
    expect(statSync(path.join(outDir, 'registry.json')).mtimeMs).toBe(before)
  })
})

describe('the CLI', () => {
  it('prints one line per connector and a summary, and writes the output folder', () => {
    const root = writeTree({
      ...validConnector('demo'),
      ...validConnector('other-api', VALID_SPEC.replace('name: Demo', 'name: Other API'), { 'auth/test.js': CJS_TEST }),
      ...validConnector('two-ways', TWO_WAYS_SPEC),
    })
    const run = runCli(root, ['--out', 'generated', 'connectors'])
    expect(run.status).toBe(0)
    const lines = run.stdout.trimEnd().split('\n')
    expect(lines.slice(0, 3)).toEqual([
      '  demo       Demo       oauth2  getOAuthConfig=mapping makeApiClient=mapping test=javascript',
      '  other-api  Other API  oauth2  getOAuthConfig=mapping makeApiClient=mapping test=javascript',
      '  two-ways   Two ways   options api-key=client-credentials oauth=oauth2',
    ])
    expect(lines[3]).toMatch(/^connectors: 3 compiled, 0 warnings, \d+ ms -> generated$/)
    expect(listFiles(path.join(root, 'generated'))).toEqual(['methods.ts', 'modules/demo/test.js', 'modules/other-api/test.js', 'modules/two-ways/test.js', 'registry.json'])
  })

  it('prints only the summary under wrangler dev, and the table again with LATCHKEY_VERBOSE=1', () => {
    const root = writeTree(validConnector('demo'))
    const quiet = runCli(root, ['--out', 'generated'], { WRANGLER_COMMAND: 'dev' })
    expect(quiet.stdout.trimEnd().split('\n')).toEqual([expect.stringMatching(/^connectors: 1 compiled, 0 warnings, \d+ ms -> generated$/)])
    expect(runCli(root, ['--out', 'generated'], { WRANGLER_COMMAND: 'dev', LATCHKEY_VERBOSE: '1' }).stdout).toContain('  demo  Demo  oauth2')
  })

  it('exits non-zero, prints file:line:col errors and leaves the previous output as it was', () => {
    const root = writeTree(validConnector('demo'))
    expect(runCli(root, ['--out', 'generated']).status).toBe(0)
    const generated = path.join(root, 'generated')
    const before = listFiles(generated).map((file) => [file, readFileSync(path.join(generated, file), 'utf8')])

    for (const [file, content] of Object.entries(validConnector('broken', VALID_SPEC, { 'auth/test.js': "const x = require('x')\n" }))) {
      mkdirSync(path.dirname(path.join(root, file)), { recursive: true })
      writeFileSync(path.join(root, file), content)
    }
    const run = runCli(root, ['--out', 'generated'])
    expect(run.status).toBe(1)
    expect(run.stderr).toContain('connectors/broken/auth/test.js:1:11 require() is not available in Workers')
    expect(run.stderr).toContain('connectors: 2 errors, 0 warnings; nothing written to generated')
    expect(listFiles(generated).map((file) => [file, readFileSync(path.join(generated, file), 'utf8')])).toEqual(before)
  })
})

function prefixed(prefix: string, tree: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(tree).map(([file, content]) => [`${prefix}/${file}`, content]))
}
