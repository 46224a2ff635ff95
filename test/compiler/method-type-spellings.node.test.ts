/**
 * `type:` (Membrane's current docs) and `implementationType:` (older specs and exports) are
 * the same setting of a method entry: either compiles, both compile when equal, and every
 * message about the type speaks of the spelling the author used.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { compileFiles, removeTrees, validConnector } from './connector-tree.ts'
import type { Tree } from './connector-tree.ts'

afterAll(removeTrees)

// VALID_SPEC written with the newer spelling; `test` is on lines 8-9.
const TYPE_SPEC = `name: Demo
auth:
  type: oauth2
  getOAuthConfig:
    type: mapping
  makeApiClient:
    type: mapping
  test:
    type: javascript
`

// TYPE_SPEC up to and including makeApiClient (lines 1-7); cases append `test` from line 8.
const TYPE_HEAD = TYPE_SPEC.slice(0, TYPE_SPEC.indexOf('  test:'))

describe('method entry type spellings', () => {
  it('compiles a spec that says type: instead of implementationType:', async () => {
    const { messages, connectors } = await compileFiles(validConnector('demo', TYPE_SPEC))
    expect(messages).toEqual([])
    const methods = connectors[0]?.auth.methods
    expect([methods?.getOAuthConfig?.implementationType, methods?.makeApiClient?.implementationType, methods?.test?.implementationType]).toEqual([
      'mapping',
      'mapping',
      'javascript',
    ])
  })

  it('leaves out, with a warning, a test of a type only the platform runs (operation-mapping)', async () => {
    const { messages, connectors } = await compileFiles(validConnector('demo', `${TYPE_HEAD}  test:\n    type: operation-mapping\n`))
    expect(messages).toEqual([
      'connectors/demo/spec.yml:9:11 warning: type "operation-mapping" cannot run in Latchkey (it calls an operation of the connector\'s API definition, which Latchkey does not load): the build leaves test out, and connections are reported connected without checking the credentials; write it as rest-api-mapping or javascript to have one',
    ])
    expect(Object.keys(connectors[0]?.auth.methods ?? {})).toEqual(['getOAuthConfig', 'makeApiClient'])
  })

  it('compiles an entry that sets both spellings to the same type', async () => {
    const spec = `${TYPE_HEAD}  test:\n    type: javascript\n    implementationType: javascript\n`
    const { messages, connectors } = await compileFiles(validConnector('demo', spec))
    expect(messages).toEqual([])
    expect(connectors[0]?.auth.methods.test).toEqual({ implementationType: 'javascript', moduleId: 'demo/test', source: 'connectors/demo/auth/test.js' })
  })
})

interface Case {
  mistake: string
  tree: Tree
  /** The one error, as printed: `file:line:col message`. */
  error: string
}

const cases: Case[] = [
  {
    mistake: 'type and implementationType that differ',
    tree: validConnector('demo', `${TYPE_HEAD}  test:\n    type: javascript\n    implementationType: mapping\n`),
    error:
      'connectors/demo/spec.yml:9:5 auth.test has type "javascript" and implementationType "mapping": they are the same setting (implementationType is its older spelling); keep one',
  },
  {
    mistake: 'a misspelt type',
    tree: validConnector('demo', `${TYPE_HEAD}  test:\n    type: javascipt\n`),
    error: 'connectors/demo/spec.yml:9:11 type "javascipt" cannot run in Latchkey (did you mean javascript?) (allowed: mapping, javascript, rest-api-mapping)',
  },
  {
    mistake: 'a platform-only type (operation-mapping)',
    tree: validConnector('demo', `${TYPE_HEAD}  test:\n    type: javascript\n  disconnect:\n    type: operation-mapping\n`),
    error:
      'connectors/demo/spec.yml:11:11 type "operation-mapping" cannot run in Latchkey (allowed: mapping, javascript, rest-api-mapping): it calls an operation of the connector\'s API definition, which Latchkey does not load; write disconnect as rest-api-mapping (a request through the API client) or javascript',
  },
  {
    mistake: 'a filePath whose suffix contradicts type',
    tree: validConnector('demo', `${TYPE_HEAD}  test:\n    type: javascript\n    filePath: auth/get-oauth-config.map.yml\n`),
    error: 'connectors/demo/spec.yml:10:15 filePath auth/get-oauth-config.map.yml is a mapping file but type is javascript',
  },
  {
    mistake: 'a conventional file whose suffix contradicts type',
    tree: validConnector('demo', TYPE_SPEC, { 'auth/test.js': null, 'auth/test.map.yml': 'ok: true\n' }),
    error: 'connectors/demo/spec.yml:8:3 type of test is javascript but the file found is auth/test.map.yml (a mapping file): change type or the file',
  },
  {
    mistake: 'inline code on an entry of type mapping',
    tree: validConnector('demo', TYPE_SPEC.replace('  makeApiClient:\n    type: mapping\n', '  makeApiClient:\n    type: mapping\n    code: "export default () => ({})"\n')),
    error: 'connectors/demo/spec.yml:8:5 code is for type javascript; with type mapping write mapping',
  },
  {
    mistake: 'an inline mapping on an entry of type javascript',
    tree: validConnector('demo', `${TYPE_HEAD}  test:\n    type: javascript\n    mapping: {ok: true}\n`),
    error: 'connectors/demo/spec.yml:10:5 mapping is for type mapping or rest-api-mapping; with type javascript write code',
  },
]

describe('method entry type errors', () => {
  it.each(cases)('reports $mistake at its line', async ({ tree, error }) => {
    const { messages, files } = await compileFiles(tree)
    expect(messages).toEqual([error])
    expect(files.size).toBe(0)
  })
})
