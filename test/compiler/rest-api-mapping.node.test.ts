/**
 * `rest-api-mapping` methods (Membrane's newer type: one request through the connection's
 * API client) compile from `auth/<method>.rest.yml`, `.api.yml`, a filePath or an inline
 * mapping into pre-parsed parts, only for the methods that run with a connection (test,
 * disconnect); every mistake in them is an error at its line.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { evaluateMapping } from '../../src/formula/index.ts'
import type { CompiledMethod } from '../../src/registry/types.ts'
import { compileFiles, removeTrees, VALID_SPEC, validConnector } from './connector-tree.ts'
import type { Tree } from './connector-tree.ts'

afterAll(removeTrees)

// VALID_SPEC up to and including makeApiClient (lines 1-7); cases append from line 8.
const SPEC_HEAD = VALID_SPEC.slice(0, VALID_SPEC.indexOf('  test:'))

/** VALID_SPEC with `test` of type rest-api-mapping (found by convention) and no auth/test.js. */
function restTest(files: Record<string, string | null>, entry = '  test:\n    type: rest-api-mapping\n'): Tree {
  return validConnector('demo', `${SPEC_HEAD}${entry}`, { 'auth/test.js': null, ...files })
}

const ME_REQUEST = `path: /companies/{companyId}/me
method: post
requestMapping:
  pathParameters:
    companyId: {$var: credentials.companyId}
  query:
    fields: {$var: connectorParameters.fields}
  headers:
    Accept: application/json
  data:
    check: true
responseMapping:
  $eval: {$var: response.data.id}
  isNotEmpty: true
`

function restMethod(method: CompiledMethod | undefined): Extract<CompiledMethod, { implementationType: 'rest-api-mapping' }> {
  if (method?.implementationType !== 'rest-api-mapping') throw new Error(`expected a rest-api-mapping method, got ${JSON.stringify(method)}`)
  return method
}

describe('rest-api-mapping methods', () => {
  it('compiles auth/test.rest.yml into pre-parsed parts with an upper-case method', async () => {
    const { messages, connectors } = await compileFiles(restTest({ 'auth/test.rest.yml': ME_REQUEST }))
    expect(messages).toEqual([])
    const test = restMethod(connectors[0]?.auth.methods.test)
    expect(test).toMatchObject({ implementationType: 'rest-api-mapping', method: 'POST', source: 'connectors/demo/auth/test.rest.yml' })
    expect(evaluateMapping(test.path, {})).toBe('/companies/{companyId}/me')
    const args = { credentials: { companyId: 'c-1' }, connectorParameters: { fields: 'id,name' } }
    expect(test.requestMapping && evaluateMapping(test.requestMapping, args)).toEqual({
      pathParameters: { companyId: 'c-1' },
      query: { fields: 'id,name' },
      headers: { Accept: 'application/json' },
      data: { check: true },
    })
    expect(test.responseMapping && evaluateMapping(test.responseMapping, { response: { data: { id: 'u-1' }, headers: {}, statusCode: 200 } })).toBe(true)
  })

  it('compiles auth/test.api.yml with GET and no request or response mapping when the file says none', async () => {
    const { messages, connectors } = await compileFiles(restTest({ 'auth/test.api.yml': 'path: /me\n' }))
    expect(messages).toEqual([])
    expect(connectors[0]?.auth.methods.test).toEqual({
      implementationType: 'rest-api-mapping',
      path: '/me',
      method: 'GET',
      requestMapping: null,
      responseMapping: null,
      source: 'connectors/demo/auth/test.api.yml',
    })
  })

  it('compiles a disconnect named by filePath, with implementationType: rest-api-mapping and a formula path', async () => {
    const spec = `${VALID_SPEC}  disconnect:\n    implementationType: rest-api-mapping\n    filePath: auth/revoke.rest.yml\n`
    const revoke = 'path: {$concat: [/tokens/, {$var: credentials.access_token}]}\nmethod: delete\n'
    const { messages, connectors } = await compileFiles(validConnector('demo', spec, { 'auth/revoke.rest.yml': revoke }))
    expect(messages).toEqual([])
    const disconnect = restMethod(connectors[0]?.auth.methods.disconnect)
    expect(disconnect).toMatchObject({ method: 'DELETE', source: 'connectors/demo/auth/revoke.rest.yml' })
    expect(evaluateMapping(disconnect.path, { credentials: { access_token: 't-1' } })).toBe('/tokens/t-1')
  })

  it('compiles an inline mapping in spec.yml', async () => {
    const { messages, connectors } = await compileFiles(restTest({}, '  test:\n    type: rest-api-mapping\n    mapping:\n      path: /me\n      method: get\n'))
    expect(messages).toEqual([])
    expect(connectors[0]?.auth.methods.test).toMatchObject({ implementationType: 'rest-api-mapping', path: '/me', method: 'GET', source: 'connectors/demo/spec.yml#auth.test' })
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
    mistake: 'a rest-api-mapping for a method that runs without a connection',
    tree: validConnector('demo', VALID_SPEC.replace('  getOAuthConfig:\n    implementationType: mapping\n', '  getOAuthConfig:\n    type: rest-api-mapping\n'), {
      'auth/get-oauth-config.map.yml': null,
      'auth/get-oauth-config.rest.yml': 'path: /config\n',
    }),
    error:
      "connectors/demo/spec.yml:5:11 type rest-api-mapping is a request through the connection's API client, so only test and disconnect can use it; write getOAuthConfig as mapping or javascript",
  },
  {
    mistake: 'a misspelt key in the file',
    tree: restTest({ 'auth/test.rest.yml': 'path: /me\nrespnseMapping: {$var: response.data}\n' }),
    error:
      'connectors/demo/auth/test.rest.yml:2:1 unknown key respnseMapping in the test rest-api-mapping (did you mean responseMapping?) (allowed: path, method, requestMapping, responseMapping)',
  },
  {
    mistake: 'a misspelt key in requestMapping',
    tree: restTest({ 'auth/test.rest.yml': 'path: /me\nrequestMapping:\n  header: {Accept: application/json}\n' }),
    error: 'connectors/demo/auth/test.rest.yml:3:3 unknown key header in requestMapping (did you mean headers?) (allowed: query, headers, data, pathParameters)',
  },
  {
    mistake: 'requestMapping headers written as a list',
    tree: restTest({ 'auth/test.rest.yml': 'path: /me\nrequestMapping:\n  headers: [Accept]\n' }),
    error: 'connectors/demo/auth/test.rest.yml:3:12 requestMapping.headers must be a mapping of names to values (or a formula)',
  },
  {
    mistake: 'an HTTP method that is not a token',
    tree: restTest({ 'auth/test.rest.yml': 'path: /me\nmethod: GET /me\n' }),
    error: 'connectors/demo/auth/test.rest.yml:2:9 method "GET /me" is not an HTTP method (a token such as GET, POST, PUT, PATCH, DELETE)',
  },
  {
    mistake: 'an HTTP method written as a formula',
    tree: restTest({ 'auth/test.rest.yml': 'path: /me\nmethod: {$var: connectorParameters.method}\n' }),
    error: 'connectors/demo/auth/test.rest.yml:2:9 method must be an HTTP method written as text, e.g. GET or POST (a formula is not allowed: the method is fixed at build time)',
  },
  {
    mistake: 'a file without path',
    tree: restTest({ 'auth/test.rest.yml': 'method: get\n' }),
    error: "connectors/demo/auth/test.rest.yml:1:1 the test rest-api-mapping has no path: write the request path, relative to the API client's baseUri, e.g. path: /me",
  },
  {
    mistake: 'a path that is not a string',
    tree: restTest({ 'auth/test.rest.yml': 'path: [me]\n' }),
    error: "connectors/demo/auth/test.rest.yml:1:7 path must be a non-empty string (relative to the API client's baseUri, e.g. /me) or a formula",
  },
  {
    mistake: 'an empty file',
    tree: restTest({ 'auth/test.api.yml': '' }),
    error: 'connectors/demo/auth/test.api.yml:1:1 the test rest-api-mapping is empty: write at least its path, e.g. path: /me',
  },
  {
    mistake: 'a malformed locator in responseMapping',
    tree: restTest({ 'auth/test.rest.yml': 'path: /me\nresponseMapping:\n  ok: {$var: response..data}\n' }),
    error: 'connectors/demo/auth/test.rest.yml:3:14 malformed locator "response..data" in $var: empty key before "." at position 9',
  },
  {
    mistake: 'inline code on an entry of type rest-api-mapping',
    tree: restTest({}, '  test:\n    type: rest-api-mapping\n    code: "export default () => true"\n'),
    error: 'connectors/demo/spec.yml:10:5 code is for type javascript; with type rest-api-mapping write mapping',
  },
  {
    mistake: 'both a .rest.yml and an .api.yml file for the method',
    tree: restTest({ 'auth/test.rest.yml': 'path: /me\n', 'auth/test.api.yml': 'path: /me\n' }),
    error: 'connectors/demo/spec.yml:8:3 test is ambiguous: auth/test.rest.yml and auth/test.api.yml are both rest-api-mapping files for it; keep one, or set filePath',
  },
  {
    mistake: 'a .rest.yml file found for a method of type mapping (the longer suffix wins over .yml)',
    tree: restTest({ 'auth/test.rest.yml': 'path: /me\n' }, '  test:\n    type: mapping\n'),
    error: 'connectors/demo/spec.yml:8:3 type of test is mapping but the file found is auth/test.rest.yml (a rest-api-mapping file): change type or the file',
  },
  {
    mistake: 'a filePath to a .api.yml file for a method of type mapping',
    tree: restTest({ 'auth/me.api.yml': 'path: /me\n' }, '  test:\n    type: mapping\n    filePath: auth/me.api.yml\n'),
    error: 'connectors/demo/spec.yml:10:15 filePath auth/me.api.yml is a rest-api-mapping file but type is mapping',
  },
]

describe('rest-api-mapping errors', () => {
  it.each(cases)('reports $mistake at its line', async ({ tree, error }) => {
    const { messages, files } = await compileFiles(tree)
    expect(messages).toEqual([error])
    expect(files.size).toBe(0)
  })
})
