/**
 * Trust boundary: an authorization server's metadata (RFC 8414; OpenID Connect Discovery 1.0 as
 * its compatible alternative). `authorizationServerMetadataUrls` gives the URLs to try for an
 * issuer in the order the MCP authorization specification (2025-11-25 and 2026-07-28,
 * "Authorization Server Metadata Discovery") fixes; `processAuthorizationServerMetadata`
 * validates one fetched document. The issuer must be the exact string the URLs were built from
 * (RFC 8414 section 3.3), endpoints follow the discovered-URL rules, and PKCE with S256 must be
 * advertised or the flow does not start (MCP 2025-11-25, "Authorization Code Protection").
 */
import { type DiscoveredUrlPolicy, checkDiscoveredUrl } from './discovered-url.ts'
import { LatchkeyError } from '../errors.ts'
import { isScopeToken } from './scope-list.ts'

/** What Latchkey uses of an authorization server's metadata. */
export interface AuthorizationServerMetadata {
  /** Exactly the issuer identifier the metadata was fetched for. */
  issuer: string
  authorizationEndpoint: string
  tokenEndpoint: string
  /** RFC 7591 registration endpoint, or null when the server offers none. */
  registrationEndpoint: string | null
  /** `client_id_metadata_document_supported` is true: an https client_id URL is accepted. */
  clientIdMetadataDocumentSupported: boolean
  /** `scopes_supported`, or null when absent. */
  scopesSupported: string[] | null
  /** `token_endpoint_auth_methods_supported`; RFC 8414's default `client_secret_basic` when absent. */
  tokenEndpointAuthMethodsSupported: string[]
  /** `authorization_response_iss_parameter_supported` is true (RFC 9207 section 3). */
  issParameterSupported: boolean
}

/**
 * An issuer identifier named by protected resource metadata, parsed: the discovered-URL rules,
 * plus no query (RFC 8414 section 2).
 */
export function checkIssuerIdentifier(value: unknown, what: string, policy: DiscoveredUrlPolicy): URL {
  const url = checkDiscoveredUrl(value, what, policy)
  if (url.search !== '' || url.href.includes('?')) throw new LatchkeyError('discovered_url_refused', `${what} has a query, which an issuer identifier cannot have.`)
  return url
}

/**
 * The metadata URLs of `issuer` in the order to try them. With a path
 * (`https://auth.example.com/tenant1`): RFC 8414 path insertion, OpenID path insertion, OpenID
 * path appending; without one: RFC 8414, then OpenID. A terminating "/" is dropped before the
 * insertion (RFC 8414 section 3.1).
 */
export function authorizationServerMetadataUrls(issuer: URL): URL[] {
  const path = issuer.pathname.replace(/\/+$/, '')
  const origin = issuer.origin
  if (path === '') return [new URL(`${origin}/.well-known/oauth-authorization-server`), new URL(`${origin}/.well-known/openid-configuration`)]
  return [
    new URL(`${origin}/.well-known/oauth-authorization-server${path}`),
    new URL(`${origin}/.well-known/openid-configuration${path}`),
    new URL(`${origin}${path}/.well-known/openid-configuration`),
  ]
}

/**
 * Validates a metadata document fetched from one of `authorizationServerMetadataUrls(issuer)`.
 * Throws `issuer_mismatch` when the document names another issuer (compared as strings, no
 * normalisation), `pkce_not_supported` without S256 in `code_challenge_methods_supported`,
 * `discovered_url_refused` for an endpoint that breaks the URL rules, and
 * `authorization_server_metadata_invalid` for any other malformed field.
 */
export function processAuthorizationServerMetadata(document: Record<string, unknown>, issuer: string, policy: DiscoveredUrlPolicy): AuthorizationServerMetadata {
  if (document['issuer'] !== issuer) {
    throw new LatchkeyError('issuer_mismatch', 'The authorization server metadata names another issuer than the one it was fetched for; it is not used (RFC 8414 section 3.3).')
  }
  const challengeMethods = stringList(document['code_challenge_methods_supported'], 'code_challenge_methods_supported')
  if (challengeMethods === null || !challengeMethods.includes('S256')) {
    throw new LatchkeyError('pkce_not_supported', 'The authorization server does not advertise PKCE with S256 (code_challenge_methods_supported), so no authorization is started.')
  }
  const responseTypes = stringList(document['response_types_supported'], 'response_types_supported')
  if (responseTypes !== null && !responseTypes.includes('code')) invalid('response_types_supported does not include "code".')
  const scopes = stringList(document['scopes_supported'], 'scopes_supported')
  if (scopes !== null && !scopes.every(isScopeToken)) invalid('scopes_supported holds a value that is not a scope token.')
  return {
    issuer,
    authorizationEndpoint: endpoint(document['authorization_endpoint'], 'authorization_endpoint', policy),
    tokenEndpoint: endpoint(document['token_endpoint'], 'token_endpoint', policy),
    registrationEndpoint: document['registration_endpoint'] === undefined ? null : endpoint(document['registration_endpoint'], 'registration_endpoint', policy),
    clientIdMetadataDocumentSupported: flag(document['client_id_metadata_document_supported'], 'client_id_metadata_document_supported'),
    scopesSupported: scopes,
    tokenEndpointAuthMethodsSupported: stringList(document['token_endpoint_auth_methods_supported'], 'token_endpoint_auth_methods_supported') ?? ['client_secret_basic'],
    issParameterSupported: flag(document['authorization_response_iss_parameter_supported'], 'authorization_response_iss_parameter_supported'),
  }
}

function endpoint(value: unknown, field: string, policy: DiscoveredUrlPolicy): string {
  if (value === undefined) invalid(`${field} is missing.`)
  return checkDiscoveredUrl(value, `The authorization server's ${field}`, policy).href
}

/** A JSON array of strings, or null when absent. */
function stringList(value: unknown, field: string): string[] | null {
  if (value === undefined) return null
  if (!Array.isArray(value) || !value.every((item): item is string => typeof item === 'string')) invalid(`${field} is not an array of strings.`)
  return value
}

/** A boolean, false when absent. */
function flag(value: unknown, field: string): boolean {
  if (value === undefined) return false
  if (typeof value !== 'boolean') invalid(`${field} is not a boolean.`)
  return value
}

function invalid(problem: string): never {
  throw new LatchkeyError('authorization_server_metadata_invalid', `The authorization server metadata is invalid: ${problem}`)
}
