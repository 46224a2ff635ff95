/**
 * Authorization server metadata (RFC 8414, OpenID discovery): the URLs to try in the MCP
 * specification's order, and the validation of one document: exact issuer (RFC 8414 section 3.3),
 * PKCE S256 advertised or refuse, endpoints under the discovered-URL rules, typed optional fields.
 */
import { describe, expect, it } from 'vitest'
import { type DiscoveredUrlPolicy, authorizationServerMetadataUrls, checkIssuerIdentifier, processAuthorizationServerMetadata } from '../../src/discovery/index.ts'
import { discoveryErrorCode } from './local-server.ts'

const POLICY: DiscoveredUrlPolicy = { latchkeyBaseUrl: 'https://latchkey.example.com', allowInsecureLoopback: false }
const ISSUER = 'https://auth.example.com/tenant1'

function metadata(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    issuer: ISSUER,
    authorization_endpoint: 'https://auth.example.com/tenant1/authorize',
    token_endpoint: 'https://auth.example.com/tenant1/token',
    response_types_supported: ['code'],
    code_challenge_methods_supported: ['S256'],
    ...fields,
  }
}

describe('authorizationServerMetadataUrls', () => {
  it('tries RFC 8414 path insertion, OpenID path insertion, then OpenID path appending for an issuer with a path', () => {
    expect(authorizationServerMetadataUrls(new URL(ISSUER)).map((url) => url.href)).toEqual([
      'https://auth.example.com/.well-known/oauth-authorization-server/tenant1',
      'https://auth.example.com/.well-known/openid-configuration/tenant1',
      'https://auth.example.com/tenant1/.well-known/openid-configuration',
    ])
  })

  it('tries RFC 8414, then OpenID, for an issuer without a path', () => {
    expect(authorizationServerMetadataUrls(new URL('https://auth.example.com')).map((url) => url.href)).toEqual([
      'https://auth.example.com/.well-known/oauth-authorization-server',
      'https://auth.example.com/.well-known/openid-configuration',
    ])
  })

  it('drops a terminating slash before inserting (RFC 8414 section 3.1)', () => {
    expect(authorizationServerMetadataUrls(new URL('https://auth.example.com/tenant1/'))[0]?.href).toBe('https://auth.example.com/.well-known/oauth-authorization-server/tenant1')
  })
})

describe('checkIssuerIdentifier', () => {
  it('accepts an https issuer with a path', () => {
    expect(checkIssuerIdentifier(ISSUER, 'The issuer', POLICY).href).toBe(ISSUER)
  })

  it.each(['https://auth.example.com?tenant=1', 'http://auth.example.com', 'https://127.0.0.1'])('refuses %s', async (issuer) => {
    expect(await discoveryErrorCode(() => checkIssuerIdentifier(issuer, 'The issuer', POLICY))).toBe('discovered_url_refused')
  })
})

describe('processAuthorizationServerMetadata', () => {
  it('reads every field discovery uses', () => {
    const document = metadata({
      registration_endpoint: 'https://auth.example.com/tenant1/register',
      client_id_metadata_document_supported: true,
      scopes_supported: ['openid', 'offline_access'],
      token_endpoint_auth_methods_supported: ['none', 'client_secret_post'],
      authorization_response_iss_parameter_supported: true,
      code_challenge_methods_supported: ['plain', 'S256'],
    })
    expect(processAuthorizationServerMetadata(document, ISSUER, POLICY)).toEqual({
      issuer: ISSUER,
      authorizationEndpoint: 'https://auth.example.com/tenant1/authorize',
      tokenEndpoint: 'https://auth.example.com/tenant1/token',
      registrationEndpoint: 'https://auth.example.com/tenant1/register',
      clientIdMetadataDocumentSupported: true,
      scopesSupported: ['openid', 'offline_access'],
      tokenEndpointAuthMethodsSupported: ['none', 'client_secret_post'],
      issParameterSupported: true,
    })
  })

  it('reads absent optional fields as their defaults (RFC 8414: client_secret_basic)', () => {
    expect(processAuthorizationServerMetadata(metadata({ response_types_supported: undefined }), ISSUER, POLICY)).toMatchObject({
      registrationEndpoint: null,
      clientIdMetadataDocumentSupported: false,
      scopesSupported: null,
      tokenEndpointAuthMethodsSupported: ['client_secret_basic'],
      issParameterSupported: false,
    })
  })

  it.each([
    ['another host', 'https://attacker.example.com'],
    ['the host without the path', 'https://auth.example.com'],
    ['a trailing slash more', `${ISSUER}/`],
    ['another case', 'https://AUTH.example.com/tenant1'],
    ['no issuer', undefined],
  ])('refuses a document naming %s as issuer_mismatch', async (_case, issuer) => {
    expect(await discoveryErrorCode(() => processAuthorizationServerMetadata(metadata({ issuer }), ISSUER, POLICY))).toBe('issuer_mismatch')
  })

  it.each([
    ['absent', undefined],
    ['plain only', ['plain']],
    ['empty', []],
    ['s256 in lower case', ['s256']],
  ])('refuses PKCE methods %s as pkce_not_supported', async (_case, methods) => {
    expect(await discoveryErrorCode(() => processAuthorizationServerMetadata(metadata({ code_challenge_methods_supported: methods }), ISSUER, POLICY))).toBe('pkce_not_supported')
  })

  it.each([
    ['no authorization_endpoint', { authorization_endpoint: undefined }],
    ['no token_endpoint', { token_endpoint: undefined }],
    ['response types without code', { response_types_supported: ['token'] }],
    ['client_id_metadata_document_supported as a string', { client_id_metadata_document_supported: 'true' }],
    ['the iss promise as a string', { authorization_response_iss_parameter_supported: 'true' }],
    ['scopes_supported with a non-string', { scopes_supported: ['openid', 1] }],
    ['a scope with a space', { scopes_supported: ['read write'] }],
    ['token auth methods as a string', { token_endpoint_auth_methods_supported: 'none' }],
  ])('refuses a document with %s as authorization_server_metadata_invalid', async (_case, fields) => {
    expect(await discoveryErrorCode(() => processAuthorizationServerMetadata(metadata(fields), ISSUER, POLICY))).toBe('authorization_server_metadata_invalid')
  })

  it.each([
    ['an http authorization endpoint', { authorization_endpoint: 'http://auth.example.com/authorize' }],
    ['a token endpoint on an IP literal', { token_endpoint: 'https://169.254.169.254/token' }],
    ['a token endpoint on Latchkey', { token_endpoint: 'https://latchkey.example.com/oauth/callback' }],
    ['a registration endpoint with user information', { registration_endpoint: 'https://user:pw@auth.example.com/register' }],
    ['a registration endpoint that is not a string', { registration_endpoint: 42 }],
  ])('refuses a document with %s as discovered_url_refused', async (_case, fields) => {
    expect(await discoveryErrorCode(() => processAuthorizationServerMetadata(metadata(fields), ISSUER, POLICY))).toBe('discovered_url_refused')
  })
})
