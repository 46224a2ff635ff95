/**
 * The auth types the build compiles (oauth2, client-credentials, oauth1) in every layout,
 * and the refusals that say what to write instead: platform-hosted types, a method the type
 * does not have, a method the type needs.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { compileFiles, removeTrees, validConnector } from './connector-tree.ts'

afterAll(removeTrees)

const SPEC = 'connectors/demo/spec.yml'

/** An API key form connector: the key as Bearer, `test` by convention (auth/test.js). */
const CLIENT_CREDENTIALS_SPEC = `name: Demo
auth:
  type: client-credentials
  inputSchema:
    type: object
    properties:
      apiKey: {type: string, format: password}
    required: [apiKey]
  getCredentialsFromConnectionParameters:
    type: mapping
    mapping:
      apiKey: {$var: connectionInput.apiKey}
  makeApiClient:
    type: mapping
  test:
    type: javascript
`

const API_KEY_CLIENT = "baseUri: https://api.example.test\nheaders:\n  Authorization: {$concat: ['Bearer ', {$var: credentials.apiKey}]}\n"

/** OAuth 1.0a: its getOAuthConfig has fields an oauth2 one does not (consumerKey, requestTokenUri...). */
const OAUTH1_SPEC = `name: Demo
auth:
  type: oauth1
  getOAuthConfig:
    type: mapping
    mapping:
      consumerKey: {$var: connectorParameters.consumerKey}
      consumerSecret: {$var: connectorParameters.consumerSecret}
      requestTokenUri: https://example.test/oauth/request_token
      authorizeUri: https://example.test/oauth/authorize
      tokenUri: https://example.test/oauth/access_token
      signatureMethod: HMAC-SHA1
      extra: {name: Demo, expiration: never}
  makeApiClient:
    type: mapping
  test:
    type: javascript
`

function clientCredentials(spec = CLIENT_CREDENTIALS_SPEC, files: Record<string, string | null> = {}) {
  return validConnector('demo', spec, { 'auth/get-oauth-config.map.yml': null, 'auth/make-api-client.map.yml': API_KEY_CLIENT, ...files })
}

describe('auth types the build compiles', () => {
  it('compiles a client-credentials connector with its form and methods', async () => {
    const { messages, connectors } = await compileFiles(clientCredentials())
    expect(messages).toEqual([])
    expect(connectors[0]?.auth).toMatchObject({ type: 'client-credentials', inputSchema: { required: ['apiKey'] } })
    expect(Object.keys(connectors[0]?.auth.methods ?? {})).toEqual(['getCredentialsFromConnectionParameters', 'makeApiClient', 'test'])
  })

  it('compiles a flat client-credentials spec (Membrane current docs) without getCredentialsFromConnectionParameters, ui.schema as the form', async () => {
    const flat =
      'name: Demo\ntype: client-credentials\nui:\n  schema: {type: object, properties: {apiKey: {type: string}}}\nmakeApiClient:\n  implementationType: mapping\ntest:\n  implementationType: javascript\n'
    const { messages, connectors } = await compileFiles(clientCredentials(flat))
    expect(messages).toEqual([])
    expect(connectors[0]?.auth).toMatchObject({ type: 'client-credentials', inputSchema: { properties: { apiKey: { type: 'string' } } } })
    expect(Object.keys(connectors[0]?.auth.methods ?? {})).toEqual(['makeApiClient', 'test'])
  })

  it('compiles an OAuth2 client-credentials grant written as client-credentials + refreshCredentials', async () => {
    const spec = `${CLIENT_CREDENTIALS_SPEC}  refreshCredentials:\n    type: javascript\n`
    const { messages, connectors } = await compileFiles(
      clientCredentials(spec, { 'auth/refresh-credentials.js': 'export default async function refreshCredentials() {\n  return { access_token: "t" }\n}\n' }),
    )
    expect(messages).toEqual([])
    expect(connectors[0]?.auth.methods.refreshCredentials).toMatchObject({ implementationType: 'javascript', moduleId: 'demo/refreshCredentials' })
  })

  it('compiles an oauth1 connector: its getOAuthConfig is not held to the oauth2 fields', async () => {
    const { messages, connectors } = await compileFiles(validConnector('demo', OAUTH1_SPEC, { 'auth/get-oauth-config.map.yml': null }))
    expect(messages).toEqual([])
    expect(connectors[0]?.auth.type).toBe('oauth1')
    expect(Object.keys(connectors[0]?.auth.methods ?? {})).toEqual(['getOAuthConfig', 'makeApiClient', 'test'])
  })

  it('compiles a flat oauth1 spec with implementationType spellings', async () => {
    const flat = 'name: Demo\ntype: oauth1\ngetOAuthConfig:\n  implementationType: mapping\nmakeApiClient:\n  type: mapping\n'
    const { messages, connectors } = await compileFiles(
      validConnector('demo', flat, { 'auth/get-oauth-config.map.yml': 'consumerKey: k\nconsumerSecret: s\nrequestTokenUri: https://example.test/rt\n', 'auth/test.js': null }),
    )
    expect(messages).toEqual([`${SPEC}:1:1 warning: the connector has no test method: connections are reported connected without checking that the credentials work`])
    expect(connectors[0]?.auth.type).toBe('oauth1')
  })

  it('still checks the makeApiClient fields of every type', async () => {
    const { messages } = await compileFiles(clientCredentials(CLIENT_CREDENTIALS_SPEC, { 'auth/make-api-client.map.yml': 'baseUri: http://api.example.test\n' }))
    expect(messages).toEqual([
      'connectors/demo/auth/make-api-client.map.yml:1:10 baseUri must be an https:// URL (http:// only for a loopback host: localhost, 127.x.x.x, [::1]) (found "http://api.example.test")',
    ])
  })
})

describe('auth types and methods the build refuses, saying what to do', () => {
  it.each(['proxy', 'integration-app-token', 'membrane-token'])('refuses the platform-hosted type %s', async (type) => {
    const { messages, files } = await compileFiles(clientCredentials(CLIENT_CREDENTIALS_SPEC.replace('type: client-credentials', `type: ${type}`)))
    expect(messages).toEqual([
      `${SPEC}:3:9 auth type ${type} is platform-hosted: it runs only inside Membrane and cannot run in Latchkey; write the connection as oauth2, client-credentials (a form: API key, login, subdomain) or oauth1`,
    ])
    expect(files.size).toBe(0)
  })

  it('suggests the closest type for a typo', async () => {
    const { messages } = await compileFiles(clientCredentials(CLIENT_CREDENTIALS_SPEC.replace('type: client-credentials', 'type: client-credential')))
    expect(messages).toEqual([
      `${SPEC}:3:9 unknown auth type "client-credential" (did you mean client-credentials?) (supported: oauth2, client-credentials, oauth1, oauth2-discovered)`,
    ])
  })

  it('refuses getCredentialsFromConnectionParameters in an oauth2 connector', async () => {
    const spec =
      'name: Demo\nauth:\n  type: oauth2\n  getOAuthConfig: {type: mapping}\n  makeApiClient: {type: mapping}\n  test: {type: javascript}\n  getCredentialsFromConnectionParameters: {type: mapping}\n'
    const { messages } = await compileFiles(validConnector('demo', spec))
    expect(messages).toEqual([
      `${SPEC}:7:3 auth.getCredentialsFromConnectionParameters is not a method of oauth2 auth: an oauth2 connection makes its credentials from the token response (getCredentialsFromAccessTokenResponse) ` +
        '(oauth2 methods: getOAuthConfig, makeApiClient, test, getTokenData, getCredentialsFromAccessTokenResponse, getCredentialsFromRefreshTokenResponse, refreshCredentials, disconnect)',
    ])
  })

  it('refuses getOAuthConfig in a client-credentials connector, pointing at refreshCredentials for a token grant', async () => {
    const { messages } = await compileFiles(clientCredentials(`${CLIENT_CREDENTIALS_SPEC}  getOAuthConfig:\n    type: mapping\n    mapping: {clientId: x}\n`))
    expect(messages).toEqual([
      `${SPEC}:17:3 auth.getOAuthConfig is not a method of client-credentials auth: a client-credentials connection has no OAuth redirect: the user fills the inputSchema form; ` +
        'for an OAuth2 client-credentials grant, request the token in refreshCredentials (or use type: oauth2) (client-credentials methods: getCredentialsFromConnectionParameters, makeApiClient, test, refreshCredentials, disconnect)',
    ])
  })

  it('refuses refreshCredentials in an oauth1 connector: its tokens do not expire', async () => {
    const { messages } = await compileFiles(validConnector('demo', `${OAUTH1_SPEC}  refreshCredentials:\n    type: javascript\n    code: 'async () => ({})'\n`))
    expect(messages).toEqual([
      `${SPEC}:18:3 auth.refreshCredentials is not a method of oauth1 auth: OAuth 1.0a access tokens do not expire (RFC 5849): remove it (oauth1 methods: getOAuthConfig, makeApiClient, test, getCredentialsFromAccessTokenResponse, disconnect)`,
    ])
  })

  it('refuses a method with no better answer by listing what the type has', async () => {
    const { messages } = await compileFiles(validConnector('demo', OAUTH1_SPEC.replace('  test:\n', '  getTokenData:\n    type: javascript\n  test:\n')))
    expect(messages).toEqual([
      `${SPEC}:16:3 auth.getTokenData is not a method of oauth1 auth: Latchkey runs the OAuth 1.0a token exchange itself; shape the stored credentials with getCredentialsFromAccessTokenResponse ` +
        '(oauth1 methods: getOAuthConfig, makeApiClient, test, getCredentialsFromAccessTokenResponse, disconnect)',
    ])
  })

  it.each([
    [
      'client-credentials',
      () => clientCredentials(CLIENT_CREDENTIALS_SPEC.replace('  makeApiClient:\n    type: mapping\n', '')),
      'auth is missing required method makeApiClient (client-credentials needs makeApiClient)',
    ],
    [
      'oauth1',
      () => validConnector('demo', OAUTH1_SPEC.replace(/ {2}getOAuthConfig:[\s\S]*?(?= {2}makeApiClient)/, '')),
      'auth is missing required method getOAuthConfig (oauth1 needs getOAuthConfig, makeApiClient)',
    ],
    [
      'oauth2',
      () => validConnector('demo', 'name: Demo\nauth:\n  type: oauth2\n  test: {type: javascript}\n'),
      'auth is missing required methods getOAuthConfig, makeApiClient (oauth2 needs getOAuthConfig, makeApiClient)',
    ],
  ])('names the type when a %s connector misses a required method', async (_type, tree, says) => {
    const { messages } = await compileFiles(tree())
    expect(messages).toEqual([`${SPEC}:2:1 ${says}`])
  })
})
