/**
 * The `X-Latchkey-Signature` header of event webhooks: `t=<unix seconds>,v1=<hex HMAC-SHA256
 * of "<t>.<body>">` with `EVENTS_WEBHOOK_SECRET`. The timestamp lets receivers refuse replays.
 */

/** Header name of the webhook signature. */
export const SIGNATURE_HEADER = 'X-Latchkey-Signature'

/** Signs `body` at `timestamp` (unix seconds): the value of the `X-Latchkey-Signature` header. */
export async function signWebhookBody(secret: string, body: string, timestamp: number): Promise<string> {
  return `t=${timestamp},v1=${await hmacHex(secret, `${timestamp}.${body}`)}`
}

/**
 * Checks a signature header for `body` (for receivers): the HMAC must match in constant time
 * and `t` must be within `toleranceSeconds` of `now` (unix seconds).
 */
export async function verifyWebhookSignature(secret: string, header: string, body: string, now: number, toleranceSeconds = 300): Promise<boolean> {
  const parts = new Map(header.split(',').map((part) => [part.slice(0, part.indexOf('=')), part.slice(part.indexOf('=') + 1)]))
  const timestamp = Number(parts.get('t'))
  const signature = parts.get('v1')
  if (!Number.isInteger(timestamp) || signature === undefined || Math.abs(now - timestamp) > toleranceSeconds) return false
  const expected = await hmacHex(secret, `${timestamp}.${body}`)
  return constantTimeEqual(expected, signature)
}

async function hmacHex(secret: string, message: string): Promise<string> {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(message)))
  return Array.from(mac, (byte) => byte.toString(16).padStart(2, '0')).join('')
}

function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false
  let difference = 0
  for (let index = 0; index < a.length; index += 1) difference |= a.charCodeAt(index) ^ b.charCodeAt(index)
  return difference === 0
}
