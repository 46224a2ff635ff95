/**
 * The credentials a connection object holds in memory, decrypted once at startup, with the
 * keyring that seals them for storage (S13) and a generation number that changes whenever
 * they are replaced or deleted: work that started under an older generation (a refresh whose
 * token request was in flight during a reconnect) must not write its result.
 *
 * Beside them, the secret fields the user typed into a client-credentials form (S22): sealed
 * under their own binding, so neither ciphertext can stand in for the other, and given back to
 * connector methods as part of the connection input (`connectionInputOf`).
 */
import { LatchkeyError } from '../errors.ts'
import { openCredentials, readCredentialKeyring, sealCredentials, type CredentialKeyring, type SealedCredentials } from './credential-encryption.ts'

type Credentials = Record<string, unknown>

/** One connection object's decrypted credentials and keyring. */
export class CredentialVault {
  readonly #env: Env
  #keyring: Promise<CredentialKeyring> | null = null
  #credentials: Credentials | null = null
  #secretInput: Record<string, unknown> = {}
  #generation = 0

  constructor(env: Env) {
    this.#env = env
  }

  /** Changes with every `replace`: compare before writing after an await. */
  get generation(): number {
    return this.#generation
  }

  /** The credentials, or `null` when the object holds no connection. */
  get current(): Credentials | null {
    return this.#credentials
  }

  /** The credentials; `internal_error` when there are none although a connection is stored. */
  require(): Credentials {
    if (this.#credentials === null) throw new LatchkeyError('internal_error', 'The connection has no stored credentials: the user must reconnect.')
    return this.#credentials
  }

  /**
   * Holds `credentials` (`null`: deleted, with the secret input) from now on, in a new
   * generation; `secretInput` replaces the held one when given (a refresh keeps it).
   */
  replace(credentials: Credentials | null, secretInput?: Record<string, unknown>): void {
    this.#credentials = credentials
    if (credentials === null) this.#secretInput = {}
    else if (secretInput !== undefined) this.#secretInput = secretInput
    this.#generation += 1
  }

  /** The connection input connector methods see: the stored (public) input with the secret fields typed by the user. */
  connectionInputOf(record: { connectionInput: Record<string, unknown> }): Record<string, unknown> {
    return { ...record.connectionInput, ...this.#secretInput }
  }

  /** Seals the secret input of `connectionId`; `null` (nothing to store) when it is empty. */
  async sealSecretInput(secretInput: Record<string, unknown>, connectionId: string): Promise<SealedCredentials | null> {
    if (Object.keys(secretInput).length === 0) return null
    return sealCredentials(secretInput, await this.#getKeyring(), secretInputBinding(connectionId))
  }

  /** Opens a sealed secret input (read at startup) and holds it; returns it resealed when its kid is not the current one. */
  async openSecretInput(sealed: SealedCredentials, connectionId: string): Promise<SealedCredentials | null> {
    const keyring = await this.#getKeyring()
    this.#secretInput = await openCredentials(sealed, keyring, secretInputBinding(connectionId))
    return sealed.kid === keyring.currentKid ? null : await sealCredentials(this.#secretInput, keyring, secretInputBinding(connectionId))
  }

  /** Seals `credentials` of `connectionId` with the current key, for storage. */
  async seal(credentials: Credentials, connectionId: string): Promise<SealedCredentials> {
    return sealCredentials(credentials, await this.#getKeyring(), connectionId)
  }

  /**
   * Opens what storage holds for `connectionId`. `resealed` is set when it was sealed with an
   * older key (rotation): the caller stores it, so the next start reads the current key.
   */
  async open(sealed: SealedCredentials, connectionId: string): Promise<{ credentials: Credentials; resealed: SealedCredentials | null }> {
    const keyring = await this.#getKeyring()
    const credentials = await openCredentials(sealed, keyring, connectionId)
    const resealed = sealed.kid === keyring.currentKid ? null : await sealCredentials(credentials, keyring, connectionId)
    return { credentials, resealed }
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

/** What the secret input's ciphertext is bound to: not the connection id alone, which binds the credentials. */
function secretInputBinding(connectionId: string): string {
  return `${connectionId}#input`
}
