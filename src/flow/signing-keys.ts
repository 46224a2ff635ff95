/**
 * One key per purpose from the one configured secret, CONNECT_TOKEN_SECRET:
 *
 *   connect-token  connect tokens and connect-page tokens: JWTs the application signs itself
 *                  (README "Starting a connection"), so their key is the secret as configured
 *   csrf           the connect page's CSRF tokens (src/ui/page-session.ts)
 *   flow-result    the signature of the result route's URL (flow-result.ts)
 *   user-verification  the flow token sent to the application's verify URL (S21, user-verification.ts)
 *   user-confirmation  the proof, in the browser's way back, that the application confirmed (S21)
 *
 * Only Latchkey makes and checks all but the first, so their keys are derived with HKDF-SHA-256
 * (RFC 5869) under distinct labels: a value made for one purpose never verifies for another,
 * and none of them is a MAC under the connect-token key.
 */
import { connectTokenKey } from './connect-token.ts'

/** What a key is for. */
export type KeyPurpose = 'connect-token' | 'csrf' | 'flow-result' | 'user-verification' | 'user-confirmation'

/** HKDF `info` per derived purpose; a new version of a format gets a new label. */
const DERIVATION_LABELS = {
  csrf: 'latchkey csrf v1',
  'flow-result': 'latchkey flow-result v1',
  'user-verification': 'latchkey user-verification v1',
  'user-confirmation': 'latchkey user-confirmation v1',
} as const

const keys = new Map<string, Promise<CryptoKey>>()

/**
 * The HMAC-SHA-256 key (sign and verify) for `purpose`, made once per isolate: importing and
 * deriving on every request was a visible share of the routes' time. Throws
 * `server_misconfigured` when the secret is missing or shorter than 32 bytes.
 */
export function signingKey(secret: string | undefined, purpose: KeyPurpose): Promise<CryptoKey> {
  const raw = connectTokenKey(secret)
  const cacheKey = `${purpose}\n${secret ?? ''}`
  let key = keys.get(cacheKey)
  if (key === undefined) {
    key = purpose === 'connect-token' ? importHmacKey(raw) : deriveHmacKey(raw, DERIVATION_LABELS[purpose])
    // A rotated secret leaves its old entries (one key per purpose) until the isolate is recycled.
    keys.set(cacheKey, key)
  }
  return key
}

function importHmacKey(raw: Uint8Array): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify'])
}

async function deriveHmacKey(raw: Uint8Array, label: string): Promise<CryptoKey> {
  const secret = await crypto.subtle.importKey('raw', raw, 'HKDF', false, ['deriveKey'])
  return crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: new TextEncoder().encode(label) },
    secret,
    { name: 'HMAC', hash: 'SHA-256', length: 256 },
    false,
    ['sign', 'verify'],
  )
}
