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

/** The storage key of the current registration, the one handed out to new flows. */
export const REGISTRATION_KEY = 'registration'
/** The storage key of the registration the current one renewed, accepted for token requests until its secret expires. */
export const PREVIOUS_REGISTRATION_KEY = 'previousRegistration'
/** The storage key of when an `invalid_client` report last dropped the current registration (epoch ms). */
export const DROPPED_AT_KEY = 'droppedAt'

/**
 * Whose registration an object holds: the authorization server (its exact issuer identifier)
 * and this deployment's redirect URI. The object is named by both (`registrationObjectName`):
 * one registration per (authorization server, deployment), and a new PUBLIC_BASE_URL registers anew.
 */
export interface RegistrationOwner {
  issuer: string
  redirectUri: string
}

/**
 * The stored record (schema version 1). Older records also hold a `registrationEndpoint`,
 * which nothing reads: they load all the same (`knownRegistrationFields`), and a record written again has none.
 */
export interface StoredRegistration {
  v: 1
  issuer: string
  redirectUri: string
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

/** The record of `client` registered at `now` (epoch ms), its secret sealed with the keyring's current key. */
export async function sealRegistration(owner: RegistrationOwner, client: RegisteredClient, keyring: CredentialKeyring, now: number): Promise<StoredRegistration> {
  return {
    v: 1,
    issuer: owner.issuer,
    redirectUri: owner.redirectUri,
    clientId: client.clientId,
    tokenEndpointAuthMethod: client.tokenEndpointAuthMethod,
    clientSecretExpiresAt: client.clientSecretExpiresAt,
    registeredAt: now,
    sealedSecret: client.clientSecret === null ? null : await sealCredentials({ clientSecret: client.clientSecret }, keyring, secretBinding(owner)),
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

/** Shape check of what storage holds (storage is input too); fields it does not know are tolerated. */
export function isStoredRegistration(value: unknown): value is StoredRegistration {
  if (!isRecord(value) || value['v'] !== 1) return false
  const expiresAt = value['clientSecretExpiresAt']
  return (
    ['issuer', 'redirectUri', 'clientId'].every((field) => typeof value[field] === 'string' && value[field] !== '') &&
    isTokenEndpointAuthMethod(value['tokenEndpointAuthMethod']) &&
    (expiresAt === null || typeof expiresAt === 'number') &&
    typeof value['registeredAt'] === 'number' &&
    // A public client has no secret; every other method has one.
    (value['sealedSecret'] === null) === (value['tokenEndpointAuthMethod'] === 'none') &&
    (value['sealedSecret'] === null || isSealedCredentials(value['sealedSecret']))
  )
}

/** A record that passed `isStoredRegistration`, without the fields it does not know (an older record's `registrationEndpoint`). */
export function knownRegistrationFields(stored: StoredRegistration): StoredRegistration {
  const { v, issuer, redirectUri, clientId, tokenEndpointAuthMethod, clientSecretExpiresAt, registeredAt, sealedSecret } = stored
  return { v, issuer, redirectUri, clientId, tokenEndpointAuthMethod, clientSecretExpiresAt, registeredAt, sealedSecret }
}

/** What the sealed secret is bound to: its owner, under a prefix no connection id has. */
function secretBinding(owner: RegistrationOwner): string {
  return `client-registration\n${registrationObjectName(owner)}`
}
