/**
 * The work of a ClientRegistration object (client-registration.ts is its RPC surface): the one
 * dynamic registration of an (authorization server, deployment) pair, made once and shared.
 *
 * - Single flight: the first caller that finds no usable registration starts one; every caller
 *   arriving while it is in flight (the input gate opens while the request is out) awaits the
 *   same promise, so N concurrent connect starts make one registration request. A failure
 *   reaches all of them and is not kept: the next caller tries again.
 * - Renewal (registration-policy.ts): a registration whose secret is due for renewal is replaced
 *   at the next connect start. The one it replaces stays the `previous` registration and is
 *   still handed out for token requests until its own secret expires, so flows pending with it
 *   and connections made with it keep working; past its expiry it is `client_registration_changed`.
 * - `drop` forgets the current registration only if the caller names it, and at most once per
 *   `DROP_INTERVAL_MS`: of many `invalid_client` reports the first drops it and the rest change
 *   nothing, so even a server that refuses every client gets one new registration per interval.
 * - A stored record that cannot be used (unknown shape, a secret that does not open, another
 *   owner's) is logged, deleted and treated as absent: the next connect start registers anew
 *   instead of every call failing on it.
 *
 * The records are read and their secrets opened once, at startup (`blockConcurrencyWhile`); a
 * failure there (CREDENTIALS_KEYS misconfigured) is rethrown to each call until a start succeeds.
 */
import { type CredentialKeyring, readCredentialKeyring } from '../connection/credential-encryption.ts'
import { LatchkeyError, isLatchkeyError } from '../errors.ts'
import { registerClient } from './register-client.ts'
import { dropAllowed, renewalDue, secretExpired } from './registration-policy.ts'
import {
  DROPPED_AT_KEY,
  PREVIOUS_REGISTRATION_KEY,
  REGISTRATION_KEY,
  type RegistrationOwner,
  type StoredRegistration,
  isStoredRegistration,
  knownRegistrationFields,
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
 * What `drop` did: `dropped` the current registration; kept it because the last drop was less
 * than `DROP_INTERVAL_MS` ago (`recently_dropped`); or nothing, because `clientId` is not the
 * current registration (`not_current`: already dropped, renewed, or never made here).
 */
export type DropOutcome = 'dropped' | 'recently_dropped' | 'not_current'

/** A stored registration with its secret opened. */
interface HeldRegistration {
  stored: StoredRegistration
  client: RegisteredClient
}

/** The storage keys that hold a registration. */
type RegistrationKey = typeof REGISTRATION_KEY | typeof PREVIOUS_REGISTRATION_KEY

/** One object's registration. */
export class RegistrationImplementation {
  readonly #storage: DurableObjectStorage
  readonly #env: Env
  #loading: Promise<void> | null = null
  #keyring: Promise<CredentialKeyring> | null = null
  /** Handed out to new flows. */
  #current: HeldRegistration | null = null
  /** The registration `#current` renewed: still good for token requests until its secret expires. */
  #previous: HeldRegistration | null = null
  #registering: Promise<RegisteredClient> | null = null

  constructor(ctx: DurableObjectState, env: Env) {
    this.#storage = ctx.storage
    this.#env = env
  }

  /** Loads the stored registrations; a failure is left for the first call to report. */
  async start(): Promise<void> {
    await this.#ready().catch(() => undefined)
  }

  /** The current client, registering one first when there is none or its renewal is due. */
  async obtain(parameters: RegistrationParameters): Promise<RegisteredClient> {
    const checked = checkedParameters(parameters)
    await this.#ready()
    const current = this.#currentOf(checked)
    if (current !== null && !renewalDue(current.stored, Date.now())) return current.client
    this.#registering ??= this.#register(checked).finally(() => {
      this.#registering = null
    })
    return this.#registering
  }

  /**
   * The client `clientId` with its secret, while it is the current registration or the previous
   * one, and its secret has not expired; else `client_registration_changed`.
   */
  async current(owner: RegistrationOwner, clientId: string): Promise<RegisteredClient> {
    const checked = checkedOwner(owner)
    await this.#ready()
    const held = typeof clientId === 'string' ? [this.#currentOf(checked), this.#previousOf(checked)].find((registration) => registration?.client.clientId === clientId) : undefined
    if (held === undefined || held === null) {
      throw new LatchkeyError('client_registration_changed', "The authorization server's client registration was renewed or dropped since this connection was made: connect again.")
    }
    if (secretExpired(held.stored, Date.now())) {
      throw new LatchkeyError('client_registration_changed', 'The client secret registered at the authorization server has expired: connect again (a new registration is made).')
    }
    return held.client
  }

  /** Forgets the current registration if it is `clientId` and no drop happened within `DROP_INTERVAL_MS`. */
  async drop(owner: RegistrationOwner, clientId: string): Promise<DropOutcome> {
    const checked = checkedOwner(owner)
    await this.#ready()
    const current = this.#currentOf(checked)
    if (current === null || current.client.clientId !== clientId) return 'not_current'
    const now = Date.now()
    if (!dropAllowed(this.#droppedAt(), now)) return 'recently_dropped'
    this.#storage.kv.delete(REGISTRATION_KEY)
    this.#storage.kv.put(DROPPED_AT_KEY, now)
    this.#current = null
    return 'dropped'
  }

  async #register(parameters: RegistrationParameters): Promise<RegisteredClient> {
    // Keys that cannot seal the secret fail here, before the server is asked for a client that could not be kept.
    const keyring = await this.#getKeyring()
    // A fetch called as a method of the options object would run with the wrong `this` in workerd.
    const client = await registerClient(parameters.registrationEndpoint, parameters, { fetch: (input, init) => fetch(input, init) }, () => Date.now())
    const owner = { issuer: parameters.issuer, redirectUri: parameters.redirectUri }
    const stored = await sealRegistration(owner, client, keyring, Date.now())
    // Renewed (not dropped while the request was out): the old client serves its pending flows and connections until it expires.
    const replaced = this.#current
    if (replaced !== null && !secretExpired(replaced.stored, Date.now())) {
      this.#storage.kv.put(PREVIOUS_REGISTRATION_KEY, replaced.stored)
      this.#previous = replaced
    }
    this.#storage.kv.put(REGISTRATION_KEY, stored)
    this.#current = { stored, client }
    return client
  }

  /** The current registration, unless it belongs to another owner than the caller's (then it is forgotten). */
  #currentOf(owner: RegistrationOwner): HeldRegistration | null {
    this.#current = this.#ownedBy(this.#current, owner, REGISTRATION_KEY)
    return this.#current
  }

  /** The previous registration, likewise. */
  #previousOf(owner: RegistrationOwner): HeldRegistration | null {
    this.#previous = this.#ownedBy(this.#previous, owner, PREVIOUS_REGISTRATION_KEY)
    return this.#previous
  }

  /**
   * `held` if it belongs to `owner`. Every caller names the object by the owner it passes, so a
   * record naming another owner was written or copied here by mistake: no call could ever use it.
   */
  #ownedBy(held: HeldRegistration | null, owner: RegistrationOwner, key: RegistrationKey): HeldRegistration | null {
    if (held === null || registrationObjectName(held.stored) === registrationObjectName(owner)) return held
    this.#discard(key, 'names another authorization server or redirect URI than its object')
    return null
  }

  /** When a report last dropped the registration, or null: never (or an unreadable value). */
  #droppedAt(): number | null {
    const droppedAt = this.#storage.kv.get(DROPPED_AT_KEY)
    return typeof droppedAt === 'number' && Number.isFinite(droppedAt) ? droppedAt : null
  }

  #ready(): Promise<void> {
    this.#loading ??= this.#load().catch((error: unknown) => {
      this.#loading = null
      throw error
    })
    return this.#loading
  }

  async #load(): Promise<void> {
    this.#current = await this.#loadRegistration(REGISTRATION_KEY)
    const previous = await this.#loadRegistration(PREVIOUS_REGISTRATION_KEY)
    // An expired previous registration can serve nothing any more.
    if (previous !== null && secretExpired(previous.stored, Date.now())) this.#storage.kv.delete(PREVIOUS_REGISTRATION_KEY)
    else this.#previous = previous
  }

  /** The registration stored under `key`, its secret opened; null when there is none or it cannot be used. */
  async #loadRegistration(key: RegistrationKey): Promise<HeldRegistration | null> {
    const stored = this.#storage.kv.get(key)
    if (stored === undefined) return null
    if (!isStoredRegistration(stored)) {
      this.#discard(key, 'has an unknown shape')
      return null
    }
    const record = knownRegistrationFields(stored)
    let opened: Awaited<ReturnType<typeof openRegistration>>
    try {
      opened = await openRegistration(record, () => this.#getKeyring())
    } catch (error) {
      // Keys that cannot be read, or a kid that is gone, are the operator's to fix (as for connections): registering anew would not help.
      if (isLatchkeyError(error) && error.code === 'credentials_key_misconfigured') throw error
      this.#discard(key, 'has a secret that does not open')
      return null
    }
    // Key rotation: a secret sealed with an older kid is rewritten with the current one.
    if (opened.resealed !== null) this.#storage.kv.put(key, opened.resealed)
    return { stored: opened.resealed ?? record, client: opened.client }
  }

  /** Deletes a record no call can use, with one log line (never its secret); the next connect start registers anew. */
  #discard(key: RegistrationKey, reason: string): void {
    console.warn(`latchkey: the stored client registration "${key}" ${reason}; it is deleted and the next connect start registers anew`)
    this.#storage.kv.delete(key)
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
