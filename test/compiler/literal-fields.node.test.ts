/**
 * Every literal field the build can see in getOAuthConfig and makeApiClient mappings is
 * type-checked at build time, at the author's `file:line:col`, with what is allowed; a field
 * written as a formula is left to the runtime validation.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { compileFiles, removeTrees, VALID_SPEC, validConnector } from './connector-tree.ts'
import type { Tree } from './connector-tree.ts'

afterAll(removeTrees)

const CLIENT_ID = 'clientId: {$var: connectorParameters.clientId}\n'
const ENDPOINTS = 'authorizeUri: https://example.test/authorize\ntokenUri: https://example.test/token\n'
// Lines 1-3 of every getOAuthConfig file below; cases append from line 4.
const OAUTH_HEAD = `${CLIENT_ID}${ENDPOINTS}`
const OAUTH_FILE = 'connectors/demo/auth/get-oauth-config.map.yml'
const API_CLIENT_FILE = 'connectors/demo/auth/make-api-client.map.yml'
const RESERVED = ['state', 'redirect_uri', 'response_type', 'client_id', 'code_challenge', 'code_challenge_method']
const LOOPBACK_RULE = 'http:// only for a loopback host: localhost, 127.x.x.x, [::1]'

function oauthConfig(content: string): Tree {
  return validConnector('demo', VALID_SPEC, { 'auth/get-oauth-config.map.yml': content })
}

function apiClient(content: string): Tree {
  return validConnector('demo', VALID_SPEC, { 'auth/make-api-client.map.yml': content })
}

interface Case {
  mistake: string
  tree: Tree
  /** The one error, as printed: `file:line:col message`. */
  error: string
}

const cases: Case[] = [
  {
    mistake: 'scopes that are a number',
    tree: oauthConfig(`${OAUTH_HEAD}scopes: 42\n`),
    error: `${OAUTH_FILE}:4:9 scopes must be a list of strings or a space-separated string, e.g. [openid, email] (found 42)`,
  },
  {
    mistake: 'a scope that is not a string',
    tree: oauthConfig(`${OAUTH_HEAD}scopes: [openid, 42]\n`),
    error: `${OAUTH_FILE}:4:18 scopes[1] must be a string (found 42)`,
  },
  {
    mistake: 'scopes written as a mapping',
    tree: oauthConfig(`${OAUTH_HEAD}scopes: {read: true}\n`),
    error: `${OAUTH_FILE}:4:9 scopes must be a list of strings or a space-separated string, e.g. [openid, email] (found a mapping)`,
  },
  {
    mistake: 'clientAuthLocation header (singular)',
    tree: oauthConfig(`${OAUTH_HEAD}clientAuthLocation: header\n`),
    error: `${OAUTH_FILE}:4:21 clientAuthLocation "header" is not allowed (did you mean headers?) (allowed: headers, body)`,
  },
  {
    mistake: 'noRefreshToken written as a string',
    tree: oauthConfig(`${OAUTH_HEAD}noRefreshToken: "yes"\n`),
    error: `${OAUTH_FILE}:4:17 noRefreshToken must be true or false (found "yes")`,
  },
  {
    mistake: 'skipPkce written as a number',
    tree: oauthConfig(`${OAUTH_HEAD}skipPkce: 1\n`),
    error: `${OAUTH_FILE}:4:11 skipPkce must be true or false (found 1)`,
  },
  ...RESERVED.map((name) => ({
    mistake: `extra.${name}, which Latchkey sets itself`,
    tree: oauthConfig(`${OAUTH_HEAD}extra:\n  ${name}: value\n`),
    error: `${OAUTH_FILE}:5:3 extra.${name} is set by Latchkey and cannot be overridden (reserved: ${RESERVED.join(', ')})`,
  })),
  {
    mistake: 'an extra value that is a list',
    tree: oauthConfig(`${OAUTH_HEAD}extra:\n  prompt: [consent]\n`),
    error: `${OAUTH_FILE}:5:11 extra.prompt must be a string, number or boolean (found a list)`,
  },
  {
    mistake: 'extra that is not a mapping',
    tree: oauthConfig(`${OAUTH_HEAD}extra: consent\n`),
    error: `${OAUTH_FILE}:4:8 extra must be a mapping of names to values (found "consent")`,
  },
  {
    mistake: 'extra.scope beside a literal list of scopes',
    tree: oauthConfig(`${OAUTH_HEAD}scopes: [read]\nextra:\n  scope: read,write\n`),
    error: `${OAUTH_FILE}:6:3 extra.scope and scopes are both set: set one (scopes is sent as a space-separated scope; extra.scope is sent as written, for providers that want another format)`,
  },
  {
    mistake: 'extra.scope beside a space-separated scopes string',
    tree: oauthConfig(`${OAUTH_HEAD}scopes: openid email\nextra: {scope: 'openid,email'}\n`),
    error: `${OAUTH_FILE}:5:9 extra.scope and scopes are both set: set one (scopes is sent as a space-separated scope; extra.scope is sent as written, for providers that want another format)`,
  },
  {
    mistake: 'an http authorizeUri on a public host',
    tree: oauthConfig(`${CLIENT_ID}authorizeUri: http://example.test/authorize\ntokenUri: https://example.test/token\n`),
    error: `${OAUTH_FILE}:2:15 authorizeUri must be an https:// URL (${LOOPBACK_RULE}) (found "http://example.test/authorize")`,
  },
  {
    mistake: 'a relative tokenUri',
    tree: oauthConfig(`${CLIENT_ID}authorizeUri: https://example.test/authorize\ntokenUri: /token\n`),
    error: `${OAUTH_FILE}:3:11 tokenUri must be an absolute https:// URL (found "/token")`,
  },
  {
    mistake: 'a tokenUri with credentials in it',
    tree: oauthConfig(`${CLIENT_ID}authorizeUri: https://example.test/authorize\ntokenUri: https://client:secret@example.test/token\n`),
    error: `${OAUTH_FILE}:3:11 tokenUri must not carry credentials (user:password@) (found "https://client:secret@example.test/token")`,
  },
  {
    mistake: 'an authorizeUri with a fragment',
    tree: oauthConfig(`${CLIENT_ID}authorizeUri: https://example.test/authorize#consent\ntokenUri: https://example.test/token\n`),
    error: `${OAUTH_FILE}:2:15 authorizeUri must not have a fragment (#...) (found "https://example.test/authorize#consent")`,
  },
  {
    mistake: 'an empty tokenUri',
    tree: oauthConfig(`${CLIENT_ID}authorizeUri: https://example.test/authorize\ntokenUri:\n`),
    error: `${OAUTH_FILE}:3:10 tokenUri must be a non-empty string (found null)`,
  },
  {
    mistake: 'an issuer with a query',
    tree: oauthConfig(`${OAUTH_HEAD}issuer: https://example.test/?tenant=1\n`),
    error: `${OAUTH_FILE}:4:9 issuer must not have a query (?...) (RFC 8414 section 2) (found "https://example.test/?tenant=1")`,
  },
  {
    mistake: 'a jwksUri that is not https',
    tree: oauthConfig(`${OAUTH_HEAD}jwksUri: ftp://example.test/jwks\n`),
    error: `${OAUTH_FILE}:4:10 jwksUri must be an https:// URL (${LOOPBACK_RULE}) (found "ftp://example.test/jwks")`,
  },
  {
    mistake: 'a clientId that is a number',
    tree: oauthConfig(`clientId: 42\n${ENDPOINTS}`),
    error: `${OAUTH_FILE}:1:11 clientId must be a non-empty string (found 42)`,
  },
  {
    mistake: 'a getOAuthConfig that is a list',
    tree: oauthConfig('- clientId: x\n'),
    error: `${OAUTH_FILE}:1:1 getOAuthConfig must be a mapping of its fields (clientId, clientSecret, authorizeUri, tokenUri, scopes, clientAuthLocation, noRefreshToken, skipPkce, extra, issuer, jwksUri) or a formula (found a list)`,
  },
  {
    mistake: 'clientAuthLocation header in an inline mapping',
    tree: validConnector(
      'demo',
      VALID_SPEC.replace(
        '  getOAuthConfig:\n    implementationType: mapping\n',
        '  getOAuthConfig:\n    implementationType: mapping\n    mapping:\n      authorizeUri: https://example.test/authorize\n      tokenUri: https://example.test/token\n      clientAuthLocation: header\n',
      ),
      { 'auth/get-oauth-config.map.yml': null },
    ),
    error: 'connectors/demo/spec.yml:9:27 clientAuthLocation "header" is not allowed (did you mean headers?) (allowed: headers, body)',
  },
  {
    mistake: 'an http baseUri on a public host',
    tree: apiClient('baseUri: http://api.example.test\n'),
    error: `${API_CLIENT_FILE}:1:10 baseUri must be an https:// URL (${LOOPBACK_RULE}) (found "http://api.example.test")`,
  },
  {
    mistake: 'a baseUri under args with a query',
    tree: apiClient('args:\n  baseUri: https://api.example.test/v1?key=1\n'),
    error: `${API_CLIENT_FILE}:2:12 args.baseUri must not have a query (?...); set query: instead (found "https://api.example.test/v1?key=1")`,
  },
  {
    mistake: 'a header name with a space',
    tree: apiClient('baseUri: https://api.example.test\nheaders:\n  Bad Header: x\n'),
    error: `${API_CLIENT_FILE}:3:3 headers: "Bad Header" is not a valid HTTP header name (letters, digits and !#$%&'*+.^_\`|~-)`,
  },
  {
    mistake: 'a header value that is a list',
    tree: apiClient('baseUri: https://api.example.test\nheaders:\n  X-Ids: [1, 2]\n'),
    error: `${API_CLIENT_FILE}:3:10 headers.X-Ids must be a string, number or boolean (found a list)`,
  },
  {
    mistake: 'query written as a list',
    tree: apiClient('baseUri: https://api.example.test\nquery: [api_key]\n'),
    error: `${API_CLIENT_FILE}:2:8 query must be a mapping of names to values (found a list)`,
  },
  {
    mistake: 'Basic auth without a password',
    tree: apiClient('baseUri: https://api.example.test\nauth:\n  username: {$var: credentials.user}\n'),
    error: `${API_CLIENT_FILE}:2:1 auth.password must be a string (found nothing)`,
  },
  {
    mistake: 'args that is not a mapping',
    tree: apiClient('args: [https://api.example.test]\n'),
    error: `${API_CLIENT_FILE}:1:7 args must be a mapping of names to values (found a list)`,
  },
]

describe('literal fields checked at build time', () => {
  it.each(cases)('reports $mistake at its line', async ({ tree, error }) => {
    const { messages, files } = await compileFiles(tree)
    expect(messages).toEqual([error])
    expect(files.size).toBe(0)
  })
})

interface Valid {
  what: string
  tree: Tree
}

const valid: Valid[] = [
  {
    what: 'formulas in every checked field',
    tree: oauthConfig(
      [
        'clientId: {$var: connectorParameters.clientId}',
        'authorizeUri: {$concat: [{$var: connectorParameters.origin}, /authorize]}',
        "tokenUri: {$tpl: {template: '{origin}/token', values: {origin: {$var: connectorParameters.origin}}}}",
        'scopes: {$var: connectorParameters.scopes}',
        'clientAuthLocation: {$var: connectionInput.clientAuthLocation}',
        'noRefreshToken: {$var: connectionInput.noRefreshToken}',
        'skipPkce: {$eval: {$var: connectionInput.pkce}, is: false}',
        'extra: {$var: connectionInput.extra}',
        'issuer: {$var: connectorParameters.issuer}',
        '',
      ].join('\n'),
    ),
  },
  {
    what: 'scopes as a space-separated string, extra values of every scalar type or a formula',
    tree: oauthConfig(`${OAUTH_HEAD}scopes: openid email\nextra:\n  prompt: {$var: connectionInput.prompt}\n  max_age: 0\n  include_granted_scopes: true\n  login_hint: null\n`),
  },
  {
    what: 'a list of scopes mixing strings and formulas',
    tree: oauthConfig(`${OAUTH_HEAD}scopes: [openid, {$var: connectorParameters.extraScope}]\n`),
  },
  {
    what: 'extra.scope beside scopes that are a formula',
    tree: oauthConfig(`${OAUTH_HEAD}scopes: {$var: connectorParameters.scopes}\nextra: {scope: 'read,write'}\n`),
  },
  {
    what: 'extra.scope beside an empty list of scopes',
    tree: oauthConfig(`${OAUTH_HEAD}scopes: []\nextra: {scope: 'read,write'}\n`),
  },
  {
    what: 'http endpoints on loopback hosts (tests) and an endpoint with a query',
    tree: oauthConfig(
      `${CLIENT_ID}authorizeUri: http://localhost:8080/authorize?tenant=common\ntokenUri: http://127.0.0.1:8080/token\nissuer: http://[::1]:9000\njwksUri: https://example.test/jwks\n`,
    ),
  },
  {
    what: 'explicit nulls for optional fields',
    tree: oauthConfig(`${OAUTH_HEAD}clientSecret: null\nissuer: null\nscopes: null\nclientAuthLocation: null\nnoRefreshToken: null\nextra: null\n`),
  },
  {
    what: 'a getOAuthConfig that is one formula',
    tree: oauthConfig('$mergeObjects:\n  - {$var: connectorParameters.oauth}\n  - {tokenUri: https://example.test/token}\n'),
  },
  {
    what: 'a makeApiClient under args with formulas, Basic auth and response handlers',
    tree: apiClient(
      [
        'args:',
        '  baseUri: {$concat: [https://, {$var: connectionInput.subdomain}, .example.test]}',
        '  headers:',
        '    X-Api-Version: 2',
        '    X-Trace: {$var: connectorParameters.trace}',
        '  query: {locale: en}',
        '  auth:',
        '    username: {$var: credentials.user}',
        '    password: {$var: credentials.password}',
        '  responseHandlers:',
        '    - match: {$eval: {$var: response.status}, is: 403}',
        '      isSuccess: false',
        '',
      ].join('\n'),
    ),
  },
  {
    what: 'a makeApiClient on a loopback host',
    tree: apiClient('baseUri: http://localhost:8787/api\n'),
  },
]

describe('fields the build cannot or need not refuse', () => {
  it.each(valid)('compiles $what without a word', async ({ tree }) => {
    const { messages, files } = await compileFiles(tree)
    expect(messages).toEqual([])
    expect(files.has('registry.json')).toBe(true)
  })
})

describe('keys the runtime does not read', () => {
  it('warns about a misspelt getOAuthConfig field, and still compiles', async () => {
    const { messages, files } = await compileFiles(oauthConfig(`${OAUTH_HEAD}clientAuthLocaton: body\n`))
    expect(messages).toEqual([
      `${OAUTH_FILE}:4:1 warning: unknown key clientAuthLocaton in getOAuthConfig (did you mean clientAuthLocation?): Latchkey ignores it (known: clientId, clientSecret, authorizeUri, tokenUri, scopes, clientAuthLocation, noRefreshToken, skipPkce, extra, issuer, jwksUri)`,
    ])
    expect(files.has('registry.json')).toBe(true)
  })

  it('warns about a misspelt makeApiClient field under args', async () => {
    const { messages } = await compileFiles(apiClient('args:\n  baseUrl: https://api.example.test\n'))
    expect(messages).toEqual([
      `${API_CLIENT_FILE}:2:3 warning: unknown key baseUrl in makeApiClient args (did you mean baseUri?): Latchkey ignores it (known: baseUri, headers, query, auth, responseHandlers)`,
    ])
  })
})
