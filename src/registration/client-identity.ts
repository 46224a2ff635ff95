/**
 * Which OAuth client a discovered connection uses at an authorization server, in the order of
 * the MCP specification ("Client Registration"): a client the operator pre-registered
 * (MCP_CLIENTS, keyed by issuer), else Latchkey's client ID metadata document when the server
 * accepts one, else a dynamic registration (RFC 7591) made once per (server, deployment) by a
 * ClientRegistration object. Credentials are keyed by the exact issuer and never sent to another
 * server (MCP 2026-07-28 "Authorization Server Binding"), and never come from a hand-written
 * connector's parameters (S27).
 *
 * The start route calls `clientIdentityFor`; what a pending authorization or connection keeps is
 * a `ClientReference` (no secret), turned back into the client with its secret by
 * `currentClient` at the callback and at every refresh; `reportInvalidClient` when the token
 * endpoint answered `invalid_client`.
 */
import { checkDiscoveredUrl } from '../discovery/discovered-url.ts'
import type { DiscoverySnapshot } from '../discovery/discover-resource.ts'
import { LatchkeyError } from '../errors.ts'
import { readSettings } from '../settings.ts'
import { clientMetadataUrl } from './client-metadata-document.ts'
import { clientRegistrationStub } from './client-registration.ts'
import { preRegisteredClient } from './pre-registered-clients.ts'
import type { RegistrationOwner } from './registration-record.ts'
import { chooseTokenEndpointAuthMethod } from './registration-request.ts'

import { type ClientIdentity, type ClientReference, isClientReference } from './client-reference.ts'

export type { ClientIdentity, ClientReference, ClientSource, TokenEndpointAuthMethod } from './client-reference.ts'

/**
 * Chooses (and for DCR obtains) the client for this authorization server: pre-registered
 * (MCP_CLIENTS[issuer]) → CIMD (snapshot.clientIdMetadataDocumentSupported and a metadata URL
 * exists) → DCR (snapshot.registrationEndpoint) → throws LatchkeyError('client_registration_unavailable').
 * Also throws `server_misconfigured` (MCP_CLIENTS or PUBLIC_BASE_URL) and `client_registration_failed`.
 */
export async function clientIdentityFor(env: Env, snapshot: DiscoverySnapshot): Promise<ClientIdentity> {
  const preRegistered = preRegisteredClient(env, snapshot.issuer)
  if (preRegistered !== null) return { ...preRegistered, source: 'pre-registered' }
  if (snapshot.clientIdMetadataDocumentSupported) {
    const clientId = clientMetadataUrl(env)
    if (clientId !== null) return { clientId, clientSecret: null, tokenEndpointAuthMethod: 'none', source: 'metadata-document' }
  }
  if (snapshot.registrationEndpoint === null) {
    throw new LatchkeyError(
      'client_registration_unavailable',
      'The authorization server accepts neither dynamic client registration nor a client ID metadata document Latchkey can serve (that needs an https PUBLIC_BASE_URL): pre-register a client there and add it to MCP_CLIENTS under its issuer.',
    )
  }
  const tokenEndpointAuthMethod = chooseTokenEndpointAuthMethod(snapshot.tokenEndpointAuthMethodsSupported)
  if (tokenEndpointAuthMethod === null) {
    throw new LatchkeyError(
      'client_registration_unavailable',
      'The authorization server offers only client authentication methods Latchkey does not support (it speaks client_secret_basic, client_secret_post and none): pre-register a client there and add it to MCP_CLIENTS.',
    )
  }
  const settings = readSettings(env)
  // Discovery checked it; the check is repeated where the URL is about to be fetched.
  checkDiscoveredUrl(snapshot.registrationEndpoint, 'The registration endpoint', { latchkeyBaseUrl: settings.publicBaseUrl, allowInsecureLoopback: settings.allowInsecureLoopback })
  const owner = ownerOf(env, snapshot.issuer)
  const client = await clientRegistrationStub(env, owner).obtainClient({
    ...owner,
    registrationEndpoint: snapshot.registrationEndpoint,
    clientName: settings.brand.appName,
    tokenEndpointAuthMethod,
  })
  return { clientId: client.clientId, clientSecret: client.clientSecret, tokenEndpointAuthMethod: client.tokenEndpointAuthMethod, source: 'dynamic' }
}

/**
 * The client a stored flow/connection uses, with its secret, for a token request. Throws
 * LatchkeyError('client_registration_changed') when that client is no longer the current one
 * (re-registered, removed from MCP_CLIENTS), so the user must connect again.
 */
export async function currentClient(env: Env, issuer: string, reference: ClientReference): Promise<ClientIdentity> {
  const { clientId, source } = checkedReference(reference)
  switch (source) {
    case 'pre-registered': {
      const client = preRegisteredClient(env, issuer)
      if (client === null || client.clientId !== clientId) throw changed('MCP_CLIENTS no longer names this client for the authorization server')
      return { ...client, source }
    }
    case 'metadata-document': {
      if (clientMetadataUrl(env) !== clientId) throw changed("Latchkey's client ID metadata document moved (PUBLIC_BASE_URL changed)")
      return { clientId, clientSecret: null, tokenEndpointAuthMethod: 'none', source }
    }
    case 'dynamic': {
      const owner = ownerOf(env, issuer)
      const client = await clientRegistrationStub(env, owner).currentClient(owner, clientId)
      return { clientId, clientSecret: client.clientSecret, tokenEndpointAuthMethod: client.tokenEndpointAuthMethod, source }
    }
  }
}

/**
 * The token endpoint answered invalid_client for this client: a dynamic registration is dropped
 * and the next connect registers again, but only if it is still the current one (so concurrent
 * reports re-register once) and no report dropped one in the last 10 minutes (so a server that
 * refuses every client cannot make Latchkey register at every token request). Pre-registered
 * and CIMD clients: nothing to drop.
 */
export async function reportInvalidClient(env: Env, issuer: string, reference: ClientReference): Promise<void> {
  const { clientId, source } = checkedReference(reference)
  if (source !== 'dynamic') return
  const owner = ownerOf(env, issuer)
  const outcome = await clientRegistrationStub(env, owner).dropClient(owner, clientId)
  // The issuer only: a client secret never reaches a log, and the client id says nothing to an operator.
  if (outcome === 'dropped') {
    console.warn(
      `latchkey: the authorization server ${JSON.stringify(issuer)} refused its dynamically registered client (invalid_client); the next connect start registers a new one`,
    )
  } else if (outcome === 'recently_dropped') {
    console.warn(
      `latchkey: the authorization server ${JSON.stringify(issuer)} refused its dynamically registered client (invalid_client) less than 10 minutes after it last dropped one; this registration is kept (one drop per 10 minutes)`,
    )
  }
}

/** This deployment's registration at `issuer`: a new PUBLIC_BASE_URL (a new redirect URI) is a new owner. */
function ownerOf(env: Env, issuer: string): RegistrationOwner {
  return { issuer, redirectUri: readSettings(env).redirectUri }
}

/** A reference read from storage, checked: a corrupt one must not reach a token request. */
function checkedReference(reference: ClientReference): ClientReference {
  if (!isClientReference(reference)) throw new LatchkeyError('internal_error', 'The stored client reference of this connection is corrupt: connect again.')
  return { clientId: reference.clientId, source: reference.source }
}

function changed(reason: string): LatchkeyError {
  return new LatchkeyError('client_registration_changed', `${reason} since this connection was made: connect again.`)
}
