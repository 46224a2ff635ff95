/**
 * Every way the format lets an author implement a method compiles, and the generated
 * methods.ts really bundles and runs it (esbuild, as wrangler does).
 */
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { build } from 'esbuild'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { evaluateMapping } from '../../src/formula/index.ts'
import type { CompiledConnector } from '../../src/registry/types.ts'
import type { CompileResult } from '../../scripts/compiler/compile.ts'
import { writeOutput } from '../../scripts/compiler/write-output.ts'
import { compileTree, removeTrees, VALID_SPEC, validConnector, writeTree } from './connector-tree.ts'
import type { Tree } from './connector-tree.ts'

afterAll(removeTrees)

interface JavaScriptStyle {
  style: string
  /** Appended to VALID_SPEC under `auth` (two-space indent). */
  entry: string
  files?: Record<string, string>
  /** moduleId suffix: the method name the Worker uses. */
  method: string
}

// Each method returns `<tag>:<value>`: the tag says which code ran.

const javascriptStyles: JavaScriptStyle[] = [
  {
    style: 'ESM default export',
    entry: '  getTokenData:\n    implementationType: javascript\n',
    files: { 'auth/get-token-data.js': "export default async function ({ value }) {\n  return 'esm-default:' + value\n}\n" },
    method: 'getTokenData',
  },
  {
    style: 'ESM named export beside other exports',
    entry: '  getTokenData:\n    implementationType: javascript\n',
    files: { 'auth/get-token-data.js': "export const helper = 1\nexport async function getTokenData({ value }) {\n  return 'esm-named:' + value\n}\n" },
    method: 'getTokenData',
  },
  {
    style: 'ESM export list with a rename',
    entry: '  refreshCredentials:\n    implementationType: javascript\n',
    files: { 'auth/refresh-credentials.js': "const refresh = async ({ value }) => 'esm-list:' + value\nexport { refresh as refreshCredentials }\n" },
    method: 'refreshCredentials',
  },
  {
    style: 'CommonJS exports.<method> (the seed style)',
    entry: '  getTokenData:\n    implementationType: javascript\n',
    files: { 'auth/get-token-data.js': "exports.getTokenData = async function ({ value }) {\n  return 'cjs-exports:' + value\n}\n" },
    method: 'getTokenData',
  },
  {
    style: 'CommonJS module.exports = function',
    entry: '  disconnect:\n    implementationType: javascript\n',
    files: { 'auth/disconnect.js': "module.exports = async function disconnect({ value }) {\n  return 'cjs-function:' + value\n}\n" },
    method: 'disconnect',
  },
  {
    style: 'CommonJS module.exports = { method }',
    entry: '  disconnect:\n    implementationType: javascript\n',
    files: { 'auth/disconnect.js': "async function disconnect({ value }) {\n  return 'cjs-object:' + value\n}\nmodule.exports = { disconnect }\n" },
    method: 'disconnect',
  },
  {
    style: 'CommonJS that mentions require only in comments and strings',
    entry: '  disconnect:\n    implementationType: javascript\n',
    files: {
      'auth/disconnect.js': "// no require('node:fs') here\nconst note = \"require('x') in a string\"\nexports.disconnect = async ({ value }) => `cjs-require-text:${value}`\n",
    },
    method: 'disconnect',
  },
  {
    style: 'TypeScript ES module',
    entry: '  getTokenData:\n    implementationType: javascript\n',
    files: {
      'auth/get-token-data.ts':
        "import type { Buffer } from 'node:buffer'\ntype Args = { value: number; raw?: Buffer }\nexport async function getTokenData({ value }: Args): Promise<string> {\n  return `ts-esm:${value}`\n}\n",
    },
    method: 'getTokenData',
  },
  {
    style: 'TypeScript with CommonJS exports',
    entry: '  getTokenData:\n    implementationType: javascript\n',
    files: { 'auth/get-token-data.ts': "exports.getTokenData = async ({ value }: { value: number }): Promise<string> => 'ts-cjs:' + value\n" },
    method: 'getTokenData',
  },
  {
    style: 'the older method name getCredentialsFromTokenResponse and its file',
    entry: '  getCredentialsFromTokenResponse:\n    implementationType: javascript\n',
    files: { 'auth/get-credentials-from-token-response.js': "exports.getCredentialsFromTokenResponse = async ({ value }) => 'older-name:' + value\n" },
    method: 'getCredentialsFromAccessTokenResponse',
  },
  {
    style: 'filePath to a file outside auth/',
    entry: '  refreshCredentials:\n    implementationType: javascript\n    filePath: lib/refresh.js\n',
    files: { 'lib/refresh.js': "export default async ({ value }) => 'file-path:' + value\n" },
    method: 'refreshCredentials',
  },
  {
    style: 'inline ESM code',
    entry: "  getTokenData:\n    implementationType: javascript\n    code: |\n      export default async function ({ value }) {\n        return 'inline-esm:' + value\n      }\n",
    method: 'getTokenData',
  },
  {
    style: 'inline CommonJS code',
    entry: "  getTokenData:\n    implementationType: javascript\n    code: |\n      exports.getTokenData = async ({ value }) => 'inline-cjs:' + value\n",
    method: 'getTokenData',
  },
  {
    style: 'inline bare async function expression',
    entry: "  getTokenData:\n    implementationType: javascript\n    code: |\n      async function ({ value }) {\n        return 'inline-function:' + value\n      };\n",
    method: 'getTokenData',
  },
  {
    style: 'inline bare arrow function',
    entry: '  getTokenData:\n    implementationType: javascript\n    code: "async ({ value }) => \'inline-arrow:\' + value"\n',
    method: 'getTokenData',
  },
]

const keyOf = (index: number): string => `style-${index}`

describe('JavaScript implementation styles', () => {
  let methods: Record<string, (args: Record<string, unknown>) => unknown>
  let result: CompileResult

  beforeAll(async () => {
    const tree: Tree = Object.assign({}, ...javascriptStyles.map((style, index) => validConnector(keyOf(index), `${VALID_SPEC}${style.entry}`, style.files)))
    const root = writeTree(tree)
    result = await compileTree(root)
    expect(result.diagnostics).toEqual([])
    writeOutput(path.join(root, 'out'), result.files)
    // The connector fetch the build injects, resolved as wrangler.toml's [alias] does for the Worker.
    const alias = { 'latchkey:connector-fetch': fileURLToPath(new URL('../../src/connector-sdk/connector-fetch.ts', import.meta.url)) }
    const bundle = await build({ entryPoints: [path.join(root, 'out/methods.ts')], bundle: true, format: 'esm', write: false, logLevel: 'silent', alias })
    const bundleFile = path.join(root, 'bundle.mjs')
    writeFileSync(bundleFile, bundle.outputFiles[0]?.text ?? '')
    methods = ((await import(pathToFileURL(bundleFile).href)) as { methods: typeof methods }).methods
  })

  it.each(javascriptStyles.map((style, index) => ({ ...style, key: keyOf(index) })))('compiles and runs $style', async ({ key, method }) => {
    const compiled = result.connectors.find((connector) => connector.key === key)?.auth.methods
    expect(compiled?.[method as keyof typeof compiled]).toMatchObject({ implementationType: 'javascript', moduleId: `${key}/${method}` })
    const value = await methods[`${key}/${method}`]?.({ value: 7 })
    expect(value).toMatch(/^[a-z-]+:7$/)
  })

  it('bundles each style as its own code (every result tag differs)', async () => {
    const tags = await Promise.all(javascriptStyles.map(async (style, index) => String(await methods[`${keyOf(index)}/${style.method}`]?.({ value: 1 }))))
    expect(new Set(tags).size).toBe(javascriptStyles.length)
  })
})

interface MappingStyle {
  style: string
  spec: string
  files: Record<string, string | null>
  /** Where CompiledMethod.source points. */
  source: string
}

const OAUTH_CONFIG = 'tokenUri: {$concat: [https://example.test/, {$var: connectorParameters.path}]}\n'

const mappingStyles: MappingStyle[] = [
  { style: 'a .map.yml file', spec: VALID_SPEC, files: { 'auth/get-oauth-config.map.yml': OAUTH_CONFIG }, source: 'auth/get-oauth-config.map.yml' },
  {
    style: 'a plain .yml file',
    spec: VALID_SPEC,
    files: { 'auth/get-oauth-config.map.yml': null, 'auth/get-oauth-config.yml': OAUTH_CONFIG },
    source: 'auth/get-oauth-config.yml',
  },
  {
    style: 'auth/oauth-config.yml (older file name)',
    spec: VALID_SPEC,
    files: { 'auth/get-oauth-config.map.yml': null, 'auth/oauth-config.yml': OAUTH_CONFIG },
    source: 'auth/oauth-config.yml',
  },
  {
    style: 'a filePath',
    spec: VALID_SPEC.replace('  getOAuthConfig:\n    implementationType: mapping\n', '  getOAuthConfig:\n    implementationType: mapping\n    filePath: config/oauth.map.yml\n'),
    files: { 'auth/get-oauth-config.map.yml': null, 'config/oauth.map.yml': OAUTH_CONFIG },
    source: 'config/oauth.map.yml',
  },
  {
    style: 'an inline mapping',
    spec: VALID_SPEC.replace(
      '  getOAuthConfig:\n    implementationType: mapping\n',
      "  getOAuthConfig:\n    implementationType: mapping\n    mapping:\n      tokenUri: {$concat: ['https://example.test/', {$var: connectorParameters.path}]}\n",
    ),
    files: { 'auth/get-oauth-config.map.yml': null },
    source: 'spec.yml#auth.getOAuthConfig',
  },
]

describe('mapping implementation styles', () => {
  it.each(mappingStyles)('compiles $style into a pre-parsed mapping', async ({ spec, files, source }) => {
    const root = writeTree(validConnector('demo', spec, files))
    const result = await compileTree(root)
    expect(result.diagnostics).toEqual([])
    const method = result.connectors[0]?.auth.methods.getOAuthConfig
    expect(method).toMatchObject({ implementationType: 'mapping', source: `connectors/demo/${source}` })
    if (method?.implementationType !== 'mapping') throw new Error('expected a mapping method')
    expect(evaluateMapping(method.mapping, { connectorParameters: { path: 'token' } })).toEqual({ tokenUri: 'https://example.test/token' })
  })
})

describe('older spellings', () => {
  it('reads auth.ui.schema as inputSchema', async () => {
    const schema = '{type: object, properties: {subdomain: {type: string}}, required: [subdomain]}'
    const root = writeTree(validConnector('demo', VALID_SPEC.replace('  type: oauth2\n', `  type: oauth2\n  ui:\n    schema: ${schema}\n`)))
    const result = await compileTree(root)
    expect(result.diagnostics).toEqual([])
    expect(result.connectors[0]?.auth.inputSchema).toEqual({ type: 'object', properties: { subdomain: { type: 'string' } }, required: ['subdomain'] })
  })

  it('stores getCredentialsFromTokenResponse as getCredentialsFromAccessTokenResponse', async () => {
    const root = writeTree(
      validConnector('demo', `${VALID_SPEC}  getCredentialsFromTokenResponse:\n    implementationType: javascript\n`, {
        'auth/get-credentials-from-token-response.js': 'exports.getCredentialsFromTokenResponse = async ({ tokenResponse }) => tokenResponse\n',
      }),
    )
    const result = await compileTree(root)
    const methods: CompiledConnector['auth']['methods'] | undefined = result.connectors[0]?.auth.methods
    expect(Object.keys(methods ?? {})).toEqual(['getCredentialsFromAccessTokenResponse', 'getOAuthConfig', 'makeApiClient', 'test'])
    expect(methods?.getCredentialsFromAccessTokenResponse).toEqual({
      implementationType: 'javascript',
      moduleId: 'demo/getCredentialsFromAccessTokenResponse',
      source: 'connectors/demo/auth/get-credentials-from-token-response.js',
    })
  })
})
