/**
 * What real exported specs carry besides `auth`: top-level sections are ignored with one
 * warning, the top-level `ui` form is read as the connection input, and a key of the format
 * inside `auth` that Latchkey does not run says so instead of passing for a typo.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { compileFiles, removeTrees, VALID_SPEC, validConnector } from './connector-tree.ts'

afterAll(removeTrees)

const SPEC = 'connectors/demo/spec.yml'
const READS = 'Latchkey reads only name, logoUri, parametersSchema, auth, ui'

describe('top-level sections of exported specs', () => {
  it('ignores key, appUri, apiDocsUri, connectionMode, api, udm and export metadata with one warning at the first', async () => {
    const exported = [
      'key: demo',
      'appUri: https://demo.example.test',
      'apiDocsUri: https://demo.example.test/docs',
      'connectionMode: popup',
      'api:',
      '  type: openapi',
      'udm:',
      '  contacts:',
      '    collectionMappings: [{key: contacts, fieldsFromCollection: {id: {$var: $.id}}}]',
      'iconUri: /public/logo.png',
      'id: 642c613b986ed1caad98172b',
      'baseUri: s3://connectors/public/1234',
      'categories: [Accounting]',
      'isReadOnly: true',
      'version: 1.0.0',
      '',
    ].join('\n')
    const { messages, files, connectors } = await compileFiles(validConnector('demo', `${VALID_SPEC}${exported}`))
    expect(messages).toEqual([
      `${SPEC}:10:1 warning: ignoring top-level sections key, appUri, apiDocsUri, connectionMode, api, udm, iconUri, id, baseUri, categories, isReadOnly, version: ${READS}`,
    ])
    expect(files.has('registry.json')).toBe(true)
    expect(Object.keys(connectors[0] ?? {})).toEqual(['key', 'name', 'auth'])
  })

  it('reads a top-level ui.schema (Gusto, QuickBooks exports) as the connection input form, with its description and helpUri', async () => {
    const ui = 'ui:\n  schema:\n    type: object\n    properties:\n      isSandbox: {type: boolean, default: false}\n  description: ""\n  helpUri: https://demo.example.test/help\n'
    const { messages, connectors } = await compileFiles(validConnector('demo', `${VALID_SPEC}${ui}`))
    expect(messages).toEqual([])
    expect(connectors[0]?.auth.inputSchema).toEqual({ type: 'object', properties: { isSandbox: { type: 'boolean', default: false } } })
  })

  it('refuses a top-level ui.schema beside auth.inputSchema', async () => {
    const spec = `${VALID_SPEC.replace('  type: oauth2\n', '  type: oauth2\n  inputSchema: {type: object}\n')}ui:\n  schema: {type: object}\n`
    const { messages, files } = await compileFiles(validConnector('demo', spec))
    expect(messages).toEqual([`${SPEC}:12:3 ui.schema and auth.inputSchema both describe the connection input: keep auth.inputSchema (ui.schema is its older spelling)`])
    expect(files.size).toBe(0)
  })

  it('reports a misspelt key of the top-level ui', async () => {
    const { messages } = await compileFiles(validConnector('demo', `${VALID_SPEC}ui:\n  schema: {type: object}\n  helpUrl: https://demo.example.test/help\n`))
    expect(messages).toEqual([`${SPEC}:12:3 unknown key ui.helpUrl (did you mean helpUri?) (allowed: schema, description, helpUri)`])
  })

  it('reads type and methods written at the top level (Membrane current docs), placing problems there', async () => {
    const flat = 'name: Demo\ntype: oauth2\ngetOAuthConfig:\n  type: mapping\nmakeApiClient:\n  type: mapping\ntest:\n  type: javascript\n'
    const { messages, connectors } = await compileFiles(validConnector('demo', flat))
    expect(messages).toEqual([])
    expect(Object.keys(connectors[0]?.auth.methods ?? {})).toEqual(['getOAuthConfig', 'makeApiClient', 'test'])

    const typo = await compileFiles(validConnector('demo', flat.replace('test:\n  type: javascript\n', 'test:\n  type: javascrpt\n')))
    expect(typo.messages).toEqual([`${SPEC}:8:9 type "javascrpt" cannot run in Latchkey (did you mean javascript?) (allowed: mapping, javascript, rest-api-mapping)`])
  })

  it('reads the older layout: no auth in spec.yml, the files under auth/ are the definition (auth/ui.yml the form)', async () => {
    const { messages, connectors } = await compileFiles(
      validConnector('demo', 'name: Demo\n', { 'auth/ui.yml': 'schema:\n  type: object\n  properties:\n    region: {type: string}\n' }),
    )
    expect(messages).toEqual([])
    expect(connectors[0]?.auth).toMatchObject({ type: 'oauth2', inputSchema: { properties: { region: { type: 'string' } } } })
    expect(Object.keys(connectors[0]?.auth.methods ?? {})).toEqual(['getOAuthConfig', 'makeApiClient', 'test'])
  })

  it('takes an older layout without get-oauth-config for a client-credentials connector (an API key form)', async () => {
    const { messages, connectors } = await compileFiles(
      validConnector('demo', 'name: Demo\n', {
        'auth/get-oauth-config.map.yml': null,
        'auth/ui.yml': 'schema:\n  type: object\n  properties:\n    apiKey: {type: string, format: password}\n',
      }),
    )
    expect(messages).toEqual([])
    expect(connectors[0]?.auth).toMatchObject({ type: 'client-credentials', inputSchema: { properties: { apiKey: { type: 'string' } } } })
    expect(Object.keys(connectors[0]?.auth.methods ?? {})).toEqual(['makeApiClient', 'test'])
  })

  it('warns about a connector without test: it is reported connected unchecked', async () => {
    const { messages, connectors } = await compileFiles(validConnector('demo', 'name: Demo\ntype: oauth2\ngetOAuthConfig:\n  type: mapping\nmakeApiClient:\n  type: mapping\n'))
    expect(messages).toEqual([`${SPEC}:1:1 warning: the connector has no test method: connections are reported connected without checking that the credentials work`])
    expect(connectors).toHaveLength(1)
  })
})

describe('keys of the format inside auth that Latchkey does not run', () => {
  it('ignores customCredentialsSchema with a warning', async () => {
    const spec = VALID_SPEC.replace('  type: oauth2\n', '  type: oauth2\n  customCredentialsSchema: {type: object}\n')
    const { messages, files } = await compileFiles(validConnector('demo', spec))
    expect(messages).toEqual([`${SPEC}:4:3 warning: ignoring auth.customCredentialsSchema (platform-level credential overrides): Latchkey reads credentialsSchema`])
    expect(files.has('registry.json')).toBe(true)
  })
})
