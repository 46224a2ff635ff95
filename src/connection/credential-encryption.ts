/**
 * Application-level encryption of stored credentials (S13): AES-256-GCM with Web Crypto,
 * keys from the `CREDENTIALS_KEYS` secret, the key id stored next to the ciphertext so keys
 * can rotate (add a new kid, point `CREDENTIALS_KEY_ID` at it; old kids keep decrypting).
 */
import { LatchkeyError } from '../errors.ts'
import { readSettings } from '../settings.ts'

/** What is stored instead of the credentials: versioned, with the key id that sealed it. */
export interface SealedCredentials {
  v: 1
  /** Key id in `CREDENTIALS_KEYS`. */
  kid: string
  /** 12-byte AES-GCM nonce, base64. */
  iv: string
  /** Ciphertext and tag of the credentials JSON, base64. */
  data: string
}

/** Imported AES keys by kid, and the kid that seals new data. */
export interface CredentialKeyring {
  currentKid: string
  keys: ReadonlyMap<string, CryptoKey>
}

/**
 * Reads `CREDENTIALS_KEYS` (JSON `{"<kid>": "<base64 32-byte key>"}`) and `CREDENTIALS_KEY_ID`
 * from the settings of `env` (`Settings.credentialKeys`) and imports the keys. When `CREDENTIALS_KEY_ID` is unset and
 * there is exactly one key, that key is current; with several keys it must be set. Throws
 * `credentials_key_misconfigured` naming the variable to fix; never quotes a key.
 */
export async function readCredentialKeyring(env: Env): Promise<CredentialKeyring> {
  const { keys: rawKeys, currentKeyId } = readSettings(env).credentialKeys
  let parsed: unknown
  try {
    parsed = typeof rawKeys === 'string' ? JSON.parse(rawKeys) : undefined
  } catch {
    parsed = undefined
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || Object.keys(parsed).length === 0) {
    throw misconfigured('set the secret CREDENTIALS_KEYS to JSON {"<kid>": "<base64 of 32 random bytes>"}.')
  }
  const keys = new Map<string, CryptoKey>()
  for (const [kid, value] of Object.entries(parsed)) {
    const bytes = typeof value === 'string' ? decodeBase64(value) : null
    if (bytes === null || bytes.byteLength !== 32) {
      throw misconfigured(`CREDENTIALS_KEYS["${kid}"] must be the base64 encoding of exactly 32 bytes.`)
    }
    keys.set(kid, await crypto.subtle.importKey('raw', bytes, 'AES-GCM', false, ['encrypt', 'decrypt']))
  }
  const currentKid = currentKeyId ?? (keys.size === 1 ? [...keys.keys()][0] : undefined)
  // With several keys, guessing the current one could seal new data with a retired key.
  if (currentKid === undefined) {
    throw misconfigured(
      `CREDENTIALS_KEYS holds ${keys.size} keys (${[...keys.keys()].map((kid) => `"${kid}"`).join(', ')}) and CREDENTIALS_KEY_ID is not set: set it to the kid that encrypts new credentials.`,
    )
  }
  if (!keys.has(currentKid)) throw misconfigured(`CREDENTIALS_KEY_ID names "${currentKid}", which is not a kid in CREDENTIALS_KEYS.`)
  return { currentKid, keys }
}

/**
 * Encrypts `credentials` with the current key. `boundTo` (the connection id) is the
 * additional authenticated data: a ciphertext copied into another connection does not open.
 */
export async function sealCredentials(credentials: Record<string, unknown>, keyring: CredentialKeyring, boundTo: string): Promise<SealedCredentials> {
  const key = keyring.keys.get(keyring.currentKid)
  if (!key) throw misconfigured(`CREDENTIALS_KEY_ID names "${keyring.currentKid}", which is not a kid in CREDENTIALS_KEYS.`)
  const iv = crypto.getRandomValues(new Uint8Array(12))
  const plaintext = new TextEncoder().encode(JSON.stringify(credentials))
  const ciphertext = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: additionalData(keyring.currentKid, boundTo) }, key, plaintext)
  return { v: 1, kid: keyring.currentKid, iv: encodeBase64(iv), data: encodeBase64(new Uint8Array(ciphertext)) }
}

/**
 * Decrypts what `sealCredentials` produced with the key named by its kid, current or not.
 * Throws `credentials_key_misconfigured` when that kid is no longer configured, and
 * `internal_error` when the ciphertext does not authenticate.
 */
export async function openCredentials(sealed: SealedCredentials, keyring: CredentialKeyring, boundTo: string): Promise<Record<string, unknown>> {
  const key = keyring.keys.get(sealed.kid)
  if (!key) {
    throw misconfigured(`stored credentials are encrypted with kid "${sealed.kid}": keep that kid in CREDENTIALS_KEYS until every connection has been rewritten.`)
  }
  const iv = decodeBase64(sealed.iv)
  const data = decodeBase64(sealed.data)
  if (iv === null || data === null) throw new LatchkeyError('internal_error', 'Stored credentials are corrupt: the user must reconnect.')
  let plaintext: ArrayBuffer
  try {
    plaintext = await crypto.subtle.decrypt({ name: 'AES-GCM', iv, additionalData: additionalData(sealed.kid, boundTo) }, key, data)
  } catch (error) {
    throw new LatchkeyError('internal_error', 'Stored credentials do not decrypt with their key: the key changed under the same kid, or the data is corrupt.', { cause: error })
  }
  return JSON.parse(new TextDecoder().decode(plaintext)) as Record<string, unknown>
}

/** Whether a stored value has the shape of `SealedCredentials` (storage is input too). */
export function isSealedCredentials(value: unknown): value is SealedCredentials {
  if (typeof value !== 'object' || value === null) return false
  const record = value as Record<string, unknown>
  return record['v'] === 1 && typeof record['kid'] === 'string' && typeof record['iv'] === 'string' && typeof record['data'] === 'string'
}

function additionalData(kid: string, boundTo: string): Uint8Array {
  return new TextEncoder().encode(`latchkey-credentials:v1:${kid}:${boundTo}`)
}

function misconfigured(detail: string): LatchkeyError {
  return new LatchkeyError('credentials_key_misconfigured', `Credential encryption is not configured correctly: ${detail}`)
}

function encodeBase64(bytes: Uint8Array): string {
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary)
}

function decodeBase64(text: string): Uint8Array | null {
  try {
    const binary = atob(text)
    const bytes = new Uint8Array(binary.length)
    for (let index = 0; index < binary.length; index += 1) bytes[index] = binary.charCodeAt(index)
    return bytes
  } catch {
    return null
  }
}
