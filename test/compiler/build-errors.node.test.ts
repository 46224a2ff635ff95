/**
 * Every class of connector mistake is a build error at the author's `file:line:col`,
 * saying what is wrong and what is allowed.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { formatDiagnostic } from '../../scripts/compiler/diagnostics.ts'
import { compileFiles, removeTrees, VALID_SPEC, validConnector } from './connector-tree.ts'
import type { Tree } from './connector-tree.ts'

afterAll(removeTrees)

// VALID_SPEC up to and including `makeApiClient` (lines 1-7); cases append from line 8.
const SPEC_HEAD = `name: Demo
auth:
  type: oauth2
  getOAuthConfig:
    implementationType: mapping
  makeApiClient:
    implementationType: mapping
`

interface Case {
  mistake: string
  tree: Tree
  /** `file:line:col` of the expected error. */
  at: string
  /** A stable part of its message. */
  says: string
}

const cases: Case[] = [
  {
    mistake: 'a connector folder without spec.yml',
    tree: { 'connectors/demo/auth/test.js': 'export default () => true\n' },
    at: 'connectors/demo/spec.yml:1:1',
    says: 'spec.yml is missing',
  },
  {
    mistake: 'a YAML syntax error in spec.yml',
    tree: validConnector('demo', `name: Demo\nauth:\n  type: oauth2\n  title: "Demo\n`),
    at: 'connectors/demo/spec.yml:5:1',
    says: 'YAML syntax error: Missing closing "quote',
  },
  {
    mistake: 'a duplicate key in spec.yml',
    tree: validConnector('demo', `${VALID_SPEC}  test:\n    implementationType: javascript\n`),
    at: 'connectors/demo/spec.yml:10:3',
    says: 'YAML syntax error: Map keys must be unique',
  },
  {
    mistake: 'a YAML syntax error in a mapping file',
    tree: validConnector('demo', VALID_SPEC, { 'auth/get-oauth-config.map.yml': 'clientId: {$var: connectorParameters.clientId\ntokenUri: https://example.test/token\n' }),
    at: 'connectors/demo/auth/get-oauth-config.map.yml:2:1',
    says: 'YAML syntax error: Flow map in block collection must be sufficiently indented and end with a }',
  },
  {
    mistake: 'a spec without name',
    tree: validConnector('demo', VALID_SPEC.replace('name: Demo\n', '')),
    at: 'connectors/demo/spec.yml:1:1',
    says: 'name is required: a non-empty string',
  },
  {
    mistake: 'a misspelt name',
    tree: validConnector('demo', VALID_SPEC.replace('name: Demo\n', 'logoUri: https://example.test/logo.svg\nnmae: Demo\n')),
    at: 'connectors/demo/spec.yml:2:1',
    says: 'name is required: a non-empty string, e.g. name: GitHub (found nmae: did you mean name?)',
  },
  {
    mistake: 'a spec without auth, nor auth files of the older layout',
    tree: validConnector('demo', 'name: Demo\n', { 'auth/get-oauth-config.map.yml': null, 'auth/make-api-client.map.yml': null, 'auth/test.js': null }),
    at: 'connectors/demo/spec.yml:1:1',
    says: 'auth is required',
  },
  {
    mistake: 'auth without type',
    tree: validConnector('demo', VALID_SPEC.replace('  type: oauth2\n', '')),
    at: 'connectors/demo/spec.yml:2:1',
    says: 'auth.type is required (supported: oauth2, client-credentials, oauth1, oauth2-discovered)',
  },
  {
    mistake: 'a platform-hosted auth type of the format',
    tree: validConnector('demo', VALID_SPEC.replace('type: oauth2', 'type: membrane-token')),
    at: 'connectors/demo/spec.yml:3:9',
    says: 'auth type membrane-token is platform-hosted: it runs only inside Membrane and cannot run in Latchkey; write the connection as oauth2, client-credentials',
  },
  {
    mistake: 'a misspelt auth type',
    tree: validConnector('demo', VALID_SPEC.replace('type: oauth2', 'type: oauht2')),
    at: 'connectors/demo/spec.yml:3:9',
    says: 'unknown auth type "oauht2" (did you mean oauth2?)',
  },
  {
    mistake: 'a missing required method',
    tree: validConnector('demo', SPEC_HEAD.replace('  makeApiClient:\n    implementationType: mapping\n', '')),
    at: 'connectors/demo/spec.yml:2:1',
    says: 'auth is missing required method makeApiClient (oauth2 needs getOAuthConfig, makeApiClient)',
  },
  {
    mistake: 'an unknown key in auth',
    tree: validConnector('demo', VALID_SPEC.replace('  type: oauth2\n', '  type: oauth2\n  titel: Demo\n')),
    at: 'connectors/demo/spec.yml:4:3',
    says: 'unknown key auth.titel (did you mean title?) (allowed: type, title,',
  },
  {
    mistake: 'the same method under its older and its current name',
    tree: validConnector(
      'demo',
      `${VALID_SPEC}  getCredentialsFromTokenResponse:\n    implementationType: javascript\n  getCredentialsFromAccessTokenResponse:\n    implementationType: javascript\n`,
      { 'auth/get-credentials-from-token-response.js': 'exports.getCredentialsFromTokenResponse = async ({ tokenResponse }) => tokenResponse\n' },
    ),
    at: 'connectors/demo/spec.yml:12:3',
    says: 'getCredentialsFromAccessTokenResponse and getCredentialsFromTokenResponse are the same method',
  },
  {
    mistake: 'a method entry that is not a mapping',
    tree: validConnector('demo', `${SPEC_HEAD}  test: javascript\n`),
    at: 'connectors/demo/spec.yml:8:9',
    says: 'auth.test must be a method entry like {type: mapping} or {type: javascript} (implementationType is the older spelling of type)',
  },
  {
    mistake: 'an unknown key in a method entry',
    tree: validConnector('demo', `${SPEC_HEAD}  test:\n    implementationType: javascript\n    fielPath: auth/test.js\n`),
    at: 'connectors/demo/spec.yml:10:5',
    says: 'unknown key fielPath in auth.test (did you mean filePath?) (allowed: type, implementationType, filePath, mapping, code)',
  },
  {
    mistake: 'a method entry without type or implementationType',
    tree: validConnector('demo', `${SPEC_HEAD}  test:\n    filePath: auth/test.js\n`),
    at: 'connectors/demo/spec.yml:8:3',
    says: 'auth.test has no type: write type: (or its older spelling implementationType:) with one of mapping, javascript, rest-api-mapping',
  },
  {
    mistake: 'an implementationType Latchkey cannot run',
    tree: validConnector('demo', `${SPEC_HEAD}  disconnect:\n    implementationType: operation-mapping\n`),
    at: 'connectors/demo/spec.yml:9:25',
    says: 'implementationType "operation-mapping" cannot run in Latchkey (allowed: mapping, javascript, rest-api-mapping)',
  },
  {
    mistake: 'inline code on a mapping method',
    tree: validConnector(
      'demo',
      `${VALID_SPEC.replace('  makeApiClient:\n    implementationType: mapping\n', '  makeApiClient:\n    implementationType: mapping\n    code: "module.exports = () => ({})"\n')}`,
    ),
    at: 'connectors/demo/spec.yml:8:5',
    says: 'code is for implementationType javascript; with implementationType mapping write mapping',
  },
  {
    mistake: 'a filePath that does not exist',
    tree: validConnector('demo', `${SPEC_HEAD}  test:\n    implementationType: javascript\n    filePath: auth/missing.js\n`),
    at: 'connectors/demo/spec.yml:10:15',
    says: 'filePath auth/missing.js does not exist in connectors/demo',
  },
  {
    mistake: 'a filePath whose suffix contradicts implementationType',
    tree: validConnector('demo', `${SPEC_HEAD}  test:\n    implementationType: javascript\n    filePath: auth/get-oauth-config.map.yml\n`),
    at: 'connectors/demo/spec.yml:10:15',
    says: 'filePath auth/get-oauth-config.map.yml is a mapping file but implementationType is javascript',
  },
  {
    mistake: 'a filePath outside the connector folder',
    tree: validConnector('demo', `${SPEC_HEAD}  test:\n    implementationType: javascript\n    filePath: ../other/test.js\n`),
    at: 'connectors/demo/spec.yml:10:15',
    says: 'filePath ../other/test.js must stay inside the connector folder connectors/demo',
  },
  {
    mistake: 'no file found by convention',
    tree: validConnector('demo', VALID_SPEC, { 'auth/test.js': null }),
    at: 'connectors/demo/spec.yml:8:3',
    says: 'no implementation for test: add auth/test.js or auth/test.ts to connectors/demo, set filePath, or write it inline (code:)',
  },
  {
    mistake: 'a conventional file whose suffix contradicts implementationType',
    tree: validConnector('demo', VALID_SPEC, { 'auth/test.js': null, 'auth/test.map.yml': 'ok: true\n' }),
    at: 'connectors/demo/spec.yml:8:3',
    says: 'implementationType of test is javascript but the file found is auth/test.map.yml (a mapping file)',
  },
  {
    mistake: 'two conventional files of the same type',
    tree: validConnector('demo', VALID_SPEC, { 'auth/oauth-config.yml': 'tokenUri: https://example.test/token\n' }),
    at: 'connectors/demo/spec.yml:4:3',
    says: 'getOAuthConfig is ambiguous: auth/get-oauth-config.map.yml and auth/oauth-config.yml are both mapping files for it',
  },
  {
    mistake: 'an ES module that does not export the method (misspelt)',
    tree: validConnector('demo', VALID_SPEC, { 'auth/test.js': 'export async function tset() {\n  return true\n}\n' }),
    at: 'connectors/demo/auth/test.js:1:23',
    says: 'does not export test: found exports tset (did you mean test instead of tset?)',
  },
  {
    mistake: 'a CommonJS module that exports something else',
    tree: validConnector('demo', VALID_SPEC, { 'auth/test.js': 'exports.check = async () => true\n' }),
    at: 'connectors/demo/auth/test.js:1:1',
    says: 'does not export test: found exports check; export it as default, as a named export test, or as exports.test = ...',
  },
  {
    mistake: 'a module that exports nothing',
    tree: validConnector('demo', VALID_SPEC, { 'auth/test.ts': 'async function test(): Promise<boolean> {\n  return true\n}\n', 'auth/test.js': null }),
    at: 'connectors/demo/auth/test.ts:1:1',
    says: 'does not export test: found no exports',
  },
  {
    mistake: 'require() in a method file',
    tree: validConnector('demo', VALID_SPEC, { 'auth/test.js': "const https = require('https')\nexports.test = async () => Boolean(https)\n" }),
    at: 'connectors/demo/auth/test.js:1:15',
    says: 'require() is not available in Workers: use the global fetch',
  },
  {
    mistake: 'require() in inline code',
    tree: validConnector(
      'demo',
      `${SPEC_HEAD}  test:\n    implementationType: javascript\n    code: |\n      const fs = require('fs')\n      module.exports = async () => Boolean(fs)\n`,
    ),
    at: 'connectors/demo/spec.yml:11:18',
    says: 'require() is not available in Workers: use the global fetch',
  },
  {
    mistake: 'a JavaScript syntax error in a method file',
    tree: validConnector('demo', VALID_SPEC, { 'auth/test.js': 'export default async function test() {\n  return (\n}\n' }),
    at: 'connectors/demo/auth/test.js:3:1',
    says: 'JavaScript syntax error: Unexpected "}"',
  },
  {
    mistake: 'a TypeScript syntax error in a method file',
    tree: validConnector('demo', VALID_SPEC, { 'auth/test.js': null, 'auth/test.ts': 'export default async function test(args: ): Promise<boolean> {\n  return true\n}\n' }),
    at: 'connectors/demo/auth/test.ts:1:42',
    says: 'JavaScript syntax error: Unexpected ")"',
  },
  {
    mistake: 'a syntax error in inline code',
    tree: validConnector(
      'demo',
      `${SPEC_HEAD}  test:\n    implementationType: javascript\n    code: |\n      async function ({ credentials }) {\n        return credentials.access_token ===\n      }\n`,
    ),
    at: 'connectors/demo/spec.yml:13:7',
    says: 'JavaScript syntax error: Unexpected "}"',
  },
  {
    mistake: 'an unknown formula in a mapping file',
    tree: validConnector('demo', VALID_SPEC, {
      'auth/get-oauth-config.map.yml':
        'clientId: {$var: connectorParameters.clientId}\nauthorizeUri: https://example.test/authorize\ntokenUri:\n  $concatt: [https://example.test, /token]\n',
    }),
    at: 'connectors/demo/auth/get-oauth-config.map.yml:4:3',
    says: 'unknown formula $concatt (did you mean $concat?)',
  },
  {
    mistake: 'a malformed locator in an inline mapping',
    tree: validConnector(
      'demo',
      VALID_SPEC.replace(
        '  makeApiClient:\n    implementationType: mapping\n',
        '  makeApiClient:\n    implementationType: mapping\n    mapping:\n      baseUri: {$var: credentials..baseUri}\n',
      ),
      { 'auth/make-api-client.map.yml': null },
    ),
    at: 'connectors/demo/spec.yml:9:23',
    says: 'malformed locator "credentials..baseUri" in $var',
  },
  {
    mistake: 'a bad formula argument',
    tree: validConnector('demo', VALID_SPEC, { 'auth/make-api-client.map.yml': 'baseUri:\n  $concat:\n    values: [https://api.example.test, v1]\n    delimeter: /\n' }),
    at: 'connectors/demo/auth/make-api-client.map.yml:4:5',
    says: 'unknown key "delimeter" in $concat (did you mean delimiter?)',
  },
  {
    mistake: 'an empty mapping file',
    tree: validConnector('demo', VALID_SPEC, { 'auth/make-api-client.map.yml': '' }),
    at: 'connectors/demo/auth/make-api-client.map.yml:1:1',
    says: 'the makeApiClient mapping is empty',
  },
  {
    mistake: 'an invalid type in parametersSchema',
    tree: validConnector('demo', VALID_SPEC.replace('auth:\n', 'parametersSchema:\n  type: object\n  properties:\n    clientId: {type: strin}\nauth:\n')),
    at: 'connectors/demo/spec.yml:5:22',
    says: 'parametersSchema.properties.clientId.type: "strin" is not a JSON Schema type (did you mean string?); allowed: array, boolean,',
  },
  {
    mistake: 'an invalid keyword value in inputSchema',
    tree: validConnector('demo', VALID_SPEC.replace('  type: oauth2\n', '  type: oauth2\n  inputSchema:\n    type: object\n    required: subdomain\n')),
    at: 'connectors/demo/spec.yml:6:15',
    says: 'auth.inputSchema.required is not valid JSON Schema (draft-07)',
  },
  {
    mistake: 'an invalid keyword value in credentialsSchema',
    tree: validConnector(
      'demo',
      VALID_SPEC.replace('  type: oauth2\n', '  type: oauth2\n  credentialsSchema:\n    type: object\n    properties:\n      expires_at: {type: number, minimum: low}\n'),
    ),
    at: 'connectors/demo/spec.yml:7:43',
    says: 'auth.credentialsSchema.properties.expires_at.minimum is not valid JSON Schema (draft-07)',
  },
  {
    mistake: 'an invalid ui.schema (older spelling of inputSchema)',
    tree: validConnector('demo', VALID_SPEC.replace('  type: oauth2\n', '  type: oauth2\n  ui:\n    schema:\n      type: obejct\n')),
    at: 'connectors/demo/spec.yml:6:13',
    says: 'auth.ui.schema.type: "obejct" is not a JSON Schema type (did you mean object?)',
  },
  {
    mistake: 'a connector folder name that is not kebab-case',
    tree: validConnector('QuickBooks'),
    at: 'connectors/QuickBooks/spec.yml:1:1',
    says: 'connector folder name "QuickBooks" must be kebab-case (lowercase letters, digits and single dashes), e.g. quick-books',
  },
  {
    mistake: "a connector named like one of Latchkey's own routes",
    tree: validConnector('credentials'),
    at: 'connectors/credentials/spec.yml:1:1',
    says: 'connector key "credentials" is reserved: /connect/credentials is Latchkey\'s typed-credentials form; rename the folder',
  },
]

describe('connector build errors', () => {
  it.each(cases)('reports $mistake at $at', async ({ tree, at, says }) => {
    const { diagnostics, files } = await compileFiles(tree)
    const errorsThere = diagnostics.filter((diagnostic) => diagnostic.severity === 'error' && formatDiagnostic(diagnostic).startsWith(`${at} `))
    expect(errorsThere.map((diagnostic) => diagnostic.message)).toEqual([expect.stringContaining(says)])
    expect(files.size).toBe(0)
  })
})
