/**
 * The work of a ClientRegistration object (client-registration.ts is its RPC surface): the one
 * dynamic registration of an (authorization server, deployment) pair, made once and shared.
 *
 * - Single flight: the first caller that finds no usable registration starts one; every caller
 *   arriving while it is in flight (the input gate opens while the request is out) awaits the
 *   same promise, so N concurrent connect starts make one registration request. A failure
 *   reaches all of them and is not kept: the next caller tries again.
 * - Renewal: a registration whose secret expires within `RENEW_BEFORE_EXPIRY_MS` is replaced by
 *   a new one at the next connect start, so a flow never starts with a secret that dies before
 *   its callback; an expired one is no longer handed out (`client_registration_changed`).
 * - `drop` forgets the registration only if the caller names the current client, so of many
 *   concurrent `invalid_client` reports the first drops it and the rest change nothing: the
 *   server gets one new registration, not one per report.
 *
 * The record is read and its secret opened once, at startup (`blockConcurrencyWhile`); a failure
 * there (CREDENTIALS_KEYS misconfigured) is rethrown to each call until a start succeeds.
 */
import { type CredentialKeyring, readCredentialKeyring } from '../connection/credential-encryption.ts'
import { LatchkeyError } from '../errors.ts'
import { registerClient } from './register-client.ts'
import {
  REGISTRATION_KEY,
  type RegistrationOwner,
  type StoredRegistration,
  isStoredRegistration,
  openRegistration,
  registrationObjectName,
  sealRegistration,
} from './registration-record.ts'
import type { RegisteredClient, RegistrationMetadata } from './registration-request.ts'
import { isTokenEndpointAuthMethod } from './token-endpoint-auth-method.ts'

/** What `obtain` needs: whose registration, where to register, and what to ask for. */
export interface RegistrationParameters extends RegistrationOwner, RegistrationMetadata {
  /** The authorization server's `registration_endpoint`, checked by discovery. */
  registrationEndpoint: string
}

/**
 * A registration whose secret expires sooner than this is renewed before it is handed out: a
 * flow started with it completes within its pending authorization's 10 minutes.
 */
export const RENEW_BEFORE_EXPIRY_MS = 15 * 60_000

interface CurrentRegistration {
  stored: StoredRegistration
  client: RegisteredClient
}

/** One object's registration. */
export class RegistrationImplementation {
  readonly #storage: DurableObjectStorage
  readonly #env: Env
  #loading: Promise<void> | null = null
  #keyring: Promise<CredentialKeyring> | null = null
  #current: CurrentRegistration | null = null
  #registering: Promise<RegisteredClient> | null = null

  constructor(ctx: DurableObjectState, env: Env) {
    this.#storage = ctx.storage
    this.#env = env
  }

  /** Loads the stored registration; a failure is left for the first call to report. */
  async start(): Promise<void> {
    await this.#ready().catch(() => undefined)
  }

  /** The current client, registering one first when there is none or its secret expires soon. */
  async obtain(parameters: RegistrationParameters): Promise<RegisteredClient> {
    const checked = checkedParameters(parameters)
    await this.#ready()
    const current = this.#currentOf(checked)
    if (current !== null && !renewalDue(current.client, Date.now())) return current.client
    this.#registering ??= this.#register(checked).finally(() => {
      this.#registering = null
    })
    return this.#registering
  }

  /** The client `clientId` with its secret, while it is the current one and not expired; else `client_registration_changed`. */
  async current(owner: RegistrationOwner, clientId: string): Promise<RegisteredClient> {
    const checked = checkedOwner(owner)
    await this.#ready()
    const current = this.#currentOf(checked)
    if (current === null || typeof clientId !== 'string' || current.client.clientId !== clientId) {
      throw new LatchkeyError('client_registration_changed', "The authorization server's client registration was renewed or dropped since this connection was made: connect again.")
    }
    const expiresAt = current.client.clientSecretExpiresAt
    if (expiresAt !== null && expiresAt <= Date.now()) {
      throw new LatchkeyError('client_registration_changed', 'The client secret registered at the authorization server has expired: connect again (a new registration is made).')
    }
    return current.client
  }

  /** Forgets the registration if `clientId` is still the current one; returns whether it did. */
  async drop(owner: RegistrationOwner, clientId: string): Promise<boolean> {
    const checked = checkedOwner(owner)
    await this.#ready()
    const current = this.#currentOf(checked)
    if (current === null || current.client.clientId !== clientId) return false
    this.#storage.kv.delete(REGISTRATION_KEY)
    this.#current = null
    return true
  }

  async #register(parameters: RegistrationParameters): Promise<RegisteredClient> {
    // A fetch called as a method of the options object would run with the wrong `this` in workerd.
    const client = await registerClient(parameters.registrationEndpoint, parameters, { fetch: (input, init) => fetch(input, init) }, () => Date.now())
    const owner = { issuer: parameters.issuer, redirectUri: parameters.redirectUri }
    const stored = await sealRegistration(owner, parameters.registrationEndpoint, client, () => this.#getKeyring(), Date.now())
    this.#storage.kv.put(REGISTRATION_KEY, stored)
    this.#current = { stored, client }
    return client
  }

  /** The held registration, after checking it belongs to `owner` (the object's name says so; anything else is a bug). */
  #currentOf(owner: RegistrationOwner): CurrentRegistration | null {
    const current = this.#current
    if (current !== null && registrationObjectName(current.stored) !== registrationObjectName(owner)) {
      throw new LatchkeyError('internal_error', 'A client registration object was asked about another authorization server than the one it holds.')
    }
    return current
  }

  #ready(): Promise<void> {
    this.#loading ??= this.#load().catch((error: unknown) => {
      this.#loading = null
      throw error
    })
    return this.#loading
  }

  async #load(): Promise<void> {
    const stored = this.#storage.kv.get(REGISTRATION_KEY)
    if (stored === undefined) return
    if (!isStoredRegistration(stored)) {
      // Nothing can use it; the next connect start registers anew.
      console.warn('latchkey: a stored client registration has an unknown shape and is ignored')
      return
    }
    const { client, resealed } = await openRegistration(stored, () => this.#getKeyring())
    // Key rotation: a secret sealed with an older kid is rewritten with the current one.
    if (resealed !== null) this.#storage.kv.put(REGISTRATION_KEY, resealed)
    this.#current = { stored: resealed ?? stored, client }
  }

  /** The keyring, imported once; a failure (misconfigured keys) is not kept, so a fixed deployment recovers. */
  #getKeyring(): Promise<CredentialKeyring> {
    this.#keyring ??= readCredentialKeyring(this.#env).catch((error: unknown) => {
      this.#keyring = null
      throw error
    })
    return this.#keyring
  }
}

/** Whether a new registration should replace `client` before it is handed out. */
function renewalDue(client: RegisteredClient, now: number): boolean {
  return client.clientSecretExpiresAt !== null && client.clientSecretExpiresAt - now < RENEW_BEFORE_EXPIRY_MS
}

/** The parameters as they crossed RPC, checked. */
function checkedParameters(parameters: RegistrationParameters): RegistrationParameters {
  const { issuer, redirectUri } = checkedOwner(parameters)
  const { registrationEndpoint, clientName, tokenEndpointAuthMethod } = parameters
  if (!isNonEmptyString(registrationEndpoint) || !isNonEmptyString(clientName) || !isTokenEndpointAuthMethod(tokenEndpointAuthMethod)) {
    throw new LatchkeyError('invalid_request', 'obtainClient: pass {issuer, redirectUri, registrationEndpoint, clientName, tokenEndpointAuthMethod}.')
  }
  return { issuer, redirectUri, registrationEndpoint, clientName, tokenEndpointAuthMethod }
}

function checkedOwner(owner: RegistrationOwner): RegistrationOwner {
  if (typeof owner !== 'object' || owner === null || !isNonEmptyString(owner.issuer) || !isNonEmptyString(owner.redirectUri)) {
    throw new LatchkeyError('invalid_request', 'A client registration call needs {issuer, redirectUri}.')
  }
  return { issuer: owner.issuer, redirectUri: owner.redirectUri }
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value !== ''
}
