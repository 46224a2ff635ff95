/**
 * What a ClientRegistration object stores (layout: STORAGE.md): the client a registration
 * endpoint issued, with its secret sealed under CREDENTIALS_KEYS like connection credentials
 * (S13, src/connection/credential-encryption.ts) and bound to the object's owner (authorization
 * server and redirect URI), so a sealed secret copied into another object does not open.
 */
import { type CredentialKeyring, type SealedCredentials, isSealedCredentials, openCredentials, sealCredentials } from '../connection/credential-encryption.ts'
import { LatchkeyError } from '../errors.ts'
import { isRecord } from '../is-record.ts'
import type { RegisteredClient } from './registration-request.ts'
import { isTokenEndpointAuthMethod } from './token-endpoint-auth-method.ts'

/** The storage key of the one record. */
export const REGISTRATION_KEY = 'registration'

/**
 * Whose registration an object holds: the authorization server (its exact issuer identifier)
 * and this deployment's redirect URI. The object is named by both (`registrationObjectName`):
 * one registration per (authorization server, deployment), and a new PUBLIC_BASE_URL registers anew.
 */
export interface RegistrationOwner {
  issuer: string
  redirectUri: string
}

/** The stored record (schema version 1). */
export interface StoredRegistration {
  v: 1
  issuer: string
  redirectUri: string
  /** Where it was registered (informational: a new registration uses the endpoint discovery gives then). */
  registrationEndpoint: string
  clientId: string
  tokenEndpointAuthMethod: RegisteredClient['tokenEndpointAuthMethod']
  /** Epoch ms, or null: never. */
  clientSecretExpiresAt: number | null
  /** Epoch ms. */
  registeredAt: number
  /** `{clientSecret}` sealed; null for a public client. */
  sealedSecret: SealedCredentials | null
}

/** The Durable Object name of `owner`'s registration: a newline cannot occur in either URL. */
export function registrationObjectName(owner: RegistrationOwner): string {
  return `${owner.issuer}\n${owner.redirectUri}`
}

/** The record of `client`, its secret sealed with the keyring's current key (only asked for when there is a secret). */
export async function sealRegistration(
  owner: RegistrationOwner,
  registrationEndpoint: string,
  client: RegisteredClient,
  keyring: () => Promise<CredentialKeyring>,
  now: number,
): Promise<StoredRegistration> {
  return {
    v: 1,
    issuer: owner.issuer,
    redirectUri: owner.redirectUri,
    registrationEndpoint,
    clientId: client.clientId,
    tokenEndpointAuthMethod: client.tokenEndpointAuthMethod,
    clientSecretExpiresAt: client.clientSecretExpiresAt,
    registeredAt: now,
    sealedSecret: client.clientSecret === null ? null : await sealCredentials({ clientSecret: client.clientSecret }, await keyring(), secretBinding(owner)),
  }
}

/**
 * The client a record holds, its secret opened. `resealed` is the record sealed with the current
 * key when an older kid sealed it (key rotation): the caller stores it. Throws
 * `credentials_key_misconfigured` (the kid is gone) or `internal_error` (corrupt).
 */
export async function openRegistration(
  stored: StoredRegistration,
  keyring: () => Promise<CredentialKeyring>,
): Promise<{ client: RegisteredClient; resealed: StoredRegistration | null }> {
  const base = { clientId: stored.clientId, tokenEndpointAuthMethod: stored.tokenEndpointAuthMethod, clientSecretExpiresAt: stored.clientSecretExpiresAt }
  if (stored.sealedSecret === null) return { client: { ...base, clientSecret: null }, resealed: null }
  const keys = await keyring()
  const opened = await openCredentials(stored.sealedSecret, keys, secretBinding(stored))
  const clientSecret = opened['clientSecret']
  if (typeof clientSecret !== 'string') throw new LatchkeyError('internal_error', 'The stored client registration is corrupt: its sealed secret holds no clientSecret.')
  const resealed = stored.sealedSecret.kid === keys.currentKid ? null : { ...stored, sealedSecret: await sealCredentials({ clientSecret }, keys, secretBinding(stored)) }
  return { client: { ...base, clientSecret }, resealed }
}

/** Shape check of what storage holds (storage is input too). */
export function isStoredRegistration(value: unknown): value is StoredRegistration {
  if (!isRecord(value) || value['v'] !== 1) return false
  const expiresAt = value['clientSecretExpiresAt']
  return (
    ['issuer', 'redirectUri', 'registrationEndpoint', 'clientId'].every((field) => typeof value[field] === 'string' && value[field] !== '') &&
    isTokenEndpointAuthMethod(value['tokenEndpointAuthMethod']) &&
    (expiresAt === null || typeof expiresAt === 'number') &&
    typeof value['registeredAt'] === 'number' &&
    // A public client has no secret; every other method has one.
    (value['sealedSecret'] === null) === (value['tokenEndpointAuthMethod'] === 'none') &&
    (value['sealedSecret'] === null || isSealedCredentials(value['sealedSecret']))
  )
}

/** What the sealed secret is bound to: its owner, under a prefix no connection id has. */
function secretBinding(owner: RegistrationOwner): string {
  return `client-registration\n${registrationObjectName(owner)}`
}
