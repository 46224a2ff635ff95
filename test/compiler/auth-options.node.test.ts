/**
 * `auth.options`: several ways to connect in one connector. Each option compiles into a
 * complete auth block: the methods shared at the auth level are inherited unless the option
 * writes its own, an option's own method files are found in auth/<option>/ first, and every
 * JavaScript method gets its own module id.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { compileFiles, removeTrees, validConnector } from './connector-tree.ts'

afterAll(removeTrees)

const SPEC = 'connectors/demo/spec.yml'

/** An API key or OAuth2, sharing makeApiClient and test; getOAuthConfig by convention in auth/. */
const OPTIONS_SPEC = `name: Demo
auth:
  makeApiClient:
    type: mapping
  test:
    type: javascript
  options:
    api-key:
      type: client-credentials
      title: API key
      inputSchema:
        type: object
        properties:
          access_token: {type: string, format: password}
    oauth:
      type: oauth2
      title: OAuth
      getOAuthConfig:
        type: mapping
`

const OAUTH_TEST = 'export default async function test() {\n  return "oauth"\n}\n'

describe('auth.options', () => {
  it('compiles each option as a complete auth block inheriting the shared methods; the top type is the first option’s', async () => {
    const { messages, connectors } = await compileFiles(validConnector('demo', OPTIONS_SPEC))
    expect(messages).toEqual([])
    const auth = connectors[0]?.auth
    expect(auth?.type).toBe('client-credentials')
    expect(Object.keys(auth?.methods ?? {})).toEqual(['makeApiClient', 'test'])
    expect(Object.keys(auth?.options ?? {})).toEqual(['api-key', 'oauth'])
    const apiKey = auth?.options?.['api-key']
    const oauth = auth?.options?.['oauth']
    expect(apiKey).toMatchObject({ type: 'client-credentials', title: 'API key', inputSchema: { properties: { access_token: { type: 'string' } } } })
    expect(Object.keys(apiKey?.methods ?? {})).toEqual(['makeApiClient', 'test'])
    expect(oauth).toMatchObject({ type: 'oauth2', title: 'OAuth' })
    expect(oauth?.inputSchema).toBeUndefined()
    expect(Object.keys(oauth?.methods ?? {})).toEqual(['getOAuthConfig', 'makeApiClient', 'test'])
    // One shared method, one module: both options run demo/test.
    expect(apiKey?.methods.test).toEqual({ implementationType: 'javascript', moduleId: 'demo/test', source: 'connectors/demo/auth/test.js' })
    expect(oauth?.methods.test).toEqual(apiKey?.methods.test)
  })

  it('keeps a top-level type written beside options', async () => {
    const { messages, connectors } = await compileFiles(validConnector('demo', OPTIONS_SPEC.replace('auth:\n', 'auth:\n  type: oauth2\n')))
    expect(messages).toEqual([])
    expect(connectors[0]?.auth.type).toBe('oauth2')
  })

  it("lets an option override a shared method, found by convention in the option's folder first", async () => {
    const spec = OPTIONS_SPEC.replace('      getOAuthConfig:\n', '      test:\n        type: javascript\n      getOAuthConfig:\n')
    const { messages, connectors, files } = await compileFiles(validConnector('demo', spec, { 'auth/oauth/test.js': OAUTH_TEST }))
    expect(messages).toEqual([])
    const options = connectors[0]?.auth.options
    expect(options?.['oauth']?.methods.test).toEqual({ implementationType: 'javascript', moduleId: 'demo/oauth/test', source: 'connectors/demo/auth/oauth/test.js' })
    expect(options?.['api-key']?.methods.test).toMatchObject({ moduleId: 'demo/test' })
    expect([...files.keys()].filter((file) => file.startsWith('modules/'))).toEqual(['modules/demo/oauth/test.js', 'modules/demo/test.js'])
    expect(files.get('modules/demo/oauth/test.js')).toContain('"oauth"')
    expect(files.get('methods.ts')).toContain('"demo/oauth/test": m0,')
  })

  it("falls back to auth/<method> for an option's own method, with a module id of its own per option", async () => {
    const spec = `name: Demo
auth:
  makeApiClient:
    type: mapping
  options:
    api-key:
      type: client-credentials
      test:
        type: javascript
    oauth:
      type: oauth2
      getOAuthConfig:
        type: mapping
      test:
        type: javascript
`
    const { messages, connectors, files } = await compileFiles(validConnector('demo', spec))
    expect(messages).toEqual([])
    const options = connectors[0]?.auth.options
    expect(options?.['api-key']?.methods.test).toEqual({ implementationType: 'javascript', moduleId: 'demo/api-key/test', source: 'connectors/demo/auth/test.js' })
    expect(options?.['oauth']?.methods.test).toEqual({ implementationType: 'javascript', moduleId: 'demo/oauth/test', source: 'connectors/demo/auth/test.js' })
    // The one file is bundled once and written for each method.
    expect(files.get('modules/demo/api-key/test.js')).toBe(files.get('modules/demo/oauth/test.js'))
    expect(files.get('methods.ts')).toMatch(/"demo\/api-key\/test": m0,\n {2}"demo\/oauth\/test": m1,/)
  })

  it('reads an option written in a flat spec, its form in ui.schema (the older spelling)', async () => {
    const flat = `name: Demo
makeApiClient:
  type: mapping
options:
  token:
    type: client-credentials
    ui:
      schema: {type: object, properties: {access_token: {type: string}}}
`
    const { messages, connectors } = await compileFiles(validConnector('demo', flat))
    expect(messages).toEqual([`${SPEC}:5:3 warning: options.token has no test method: connections are reported connected without checking that the credentials work`])
    expect(connectors[0]?.auth.options?.['token']).toMatchObject({ type: 'client-credentials', inputSchema: { properties: { access_token: { type: 'string' } } } })
  })

  it('warns about a shared method every option replaces', async () => {
    const spec = OPTIONS_SPEC.replace('      title: API key\n', '      title: API key\n      test:\n        type: mapping\n        mapping: true\n').replace(
      '      getOAuthConfig:\n',
      '      test:\n        type: mapping\n        mapping: true\n      getOAuthConfig:\n',
    )
    const { messages } = await compileFiles(validConnector('demo', spec))
    expect(messages).toEqual([`${SPEC}:5:3 warning: every option writes its own test: the shared auth.test is never run; remove it`])
  })
})

describe('auth.options mistakes, each saying what to do', () => {
  it.each([
    {
      mistake: 'an empty options map',
      spec: 'name: Demo\nauth:\n  makeApiClient: {type: mapping}\n  options: {}\n',
      says: `${SPEC}:4:12 auth.options must map option keys to auth blocks, e.g. api-key: {type: client-credentials, inputSchema: ...}; with one way to connect, write it directly under auth and remove options`,
    },
    {
      mistake: 'an option key with a space',
      spec: 'name: Demo\nauth:\n  makeApiClient: {type: mapping}\n  options:\n    api key: {type: client-credentials}\n',
      says: `${SPEC}:5:5 option key "api key" must be 1 to 64 letters, digits, - or _, starting with a letter or digit, e.g. api-key`,
    },
    {
      mistake: 'option keys that differ only in case',
      spec: 'name: Demo\nauth:\n  makeApiClient: {type: mapping}\n  options:\n    ApiKey: {type: client-credentials}\n    apikey: {type: client-credentials}\n',
      says: `${SPEC}:6:5 option keys ApiKey and apikey differ only in case: rename one (they name generated files and URLs)`,
    },
    {
      mistake: 'an option that is not a mapping',
      spec: 'name: Demo\nauth:\n  makeApiClient: {type: mapping}\n  options:\n    api-key: client-credentials\n',
      says: `${SPEC}:5:14 auth.options.api-key must be an auth block with its type, e.g. {type: client-credentials}`,
    },
    {
      mistake: 'an option without type',
      spec: 'name: Demo\nauth:\n  makeApiClient: {type: mapping}\n  options:\n    api-key: {title: API key}\n',
      says: `${SPEC}:5:5 auth.options.api-key.type is required (supported: oauth2, client-credentials, oauth1, oauth2-discovered)`,
    },
    {
      mistake: 'a platform-hosted option type',
      spec: 'name: Demo\nauth:\n  makeApiClient: {type: mapping}\n  options:\n    hosted: {type: proxy}\n',
      says: `${SPEC}:5:20 auth type proxy is platform-hosted: it runs only inside Membrane and cannot run in Latchkey; write the connection as oauth2, client-credentials (a form: API key, login, subdomain) or oauth1`,
    },
    {
      mistake: 'a method the option’s type does not have',
      spec: 'name: Demo\nauth:\n  makeApiClient: {type: mapping}\n  options:\n    api-key:\n      type: client-credentials\n      getTokenData: {type: javascript}\n',
      says:
        `${SPEC}:7:7 auth.options.api-key.getTokenData is not a method of client-credentials auth: credentials come from the form (getCredentialsFromConnectionParameters) ` +
        '(client-credentials methods: getCredentialsFromConnectionParameters, makeApiClient, test, refreshCredentials, disconnect)',
    },
    {
      mistake: 'an option missing a required method of its type',
      spec: 'name: Demo\nauth:\n  makeApiClient: {type: mapping}\n  options:\n    oauth: {type: oauth2}\n',
      says: `${SPEC}:5:5 auth.options.oauth is missing required method getOAuthConfig (oauth2 needs getOAuthConfig, makeApiClient)`,
    },
    {
      mistake: 'a shared method no option’s type has',
      spec: 'name: Demo\nauth:\n  makeApiClient: {type: mapping}\n  getTokenData: {type: javascript}\n  options:\n    api-key: {type: client-credentials}\n',
      says: `${SPEC}:4:3 auth.getTokenData is shared by every option, but no option's type (client-credentials) has getTokenData: move it into an option of a type that has it, or remove it`,
    },
    {
      mistake: 'a form at the auth level beside options',
      spec: 'name: Demo\nauth:\n  makeApiClient: {type: mapping}\n  inputSchema: {type: object}\n  options:\n    api-key: {type: client-credentials}\n',
      says: `${SPEC}:4:3 auth.inputSchema is not used when auth.options is set: each option has its own form and credentials; move it into the options that need it`,
    },
    {
      mistake: 'options inside an option',
      spec: 'name: Demo\nauth:\n  makeApiClient: {type: mapping}\n  options:\n    api-key:\n      type: client-credentials\n      options: {}\n',
      says: `${SPEC}:7:7 unknown key auth.options.api-key.options (allowed: type, title, description, inputSchema, ui, credentialsSchema, getOAuthConfig,`,
    },
  ])('refuses $mistake', async ({ spec, says }) => {
    const { messages, files } = await compileFiles(validConnector('demo', spec))
    expect(messages.filter((message) => !message.includes(' warning: '))).toEqual([expect.stringContaining(says)])
    expect(files.size).toBe(0)
  })

  it("names both places when an option's own method has no file", async () => {
    const spec = 'name: Demo\nauth:\n  makeApiClient: {type: mapping}\n  options:\n    api-key:\n      type: client-credentials\n      disconnect: {type: mapping}\n'
    const { messages } = await compileFiles(validConnector('demo', spec))
    expect(messages).toContain(
      `${SPEC}:7:7 no implementation for disconnect: add auth/api-key/disconnect.map.yml or auth/api-key/disconnect.yml or auth/disconnect.map.yml or auth/disconnect.yml to connectors/demo, set filePath, or write it inline (mapping:)`,
    )
  })
})
