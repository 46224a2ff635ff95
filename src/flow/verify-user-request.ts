/**
 * Trust boundary: `POST /oauth/verify-user`, the HTTP form of the application's confirmation
 * (S21, user-verification.ts step 2) for applications that do not call over a service binding.
 * The body is JSON `{"flow": "<latchkey_flow>", "tenant": "<tenant>"}`, at most 4 KiB, signed
 * like Latchkey's event webhooks but by the application: the header
 * `X-Latchkey-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` with
 * USER_VERIFY_SECRET, `t` within 5 minutes. Without USER_VERIFY_SECRET the route is off.
 */
import { verifyWebhookSignature, SIGNATURE_HEADER } from '../connection/events/webhook-signature.ts'
import { LatchkeyError } from '../errors.ts'
import { isRecord } from '../is-record.ts'
import { readLimitedBytes } from '../limited-body.ts'

/** Largest confirmation body read. */
export const MAX_VERIFY_BODY_BYTES = 4096

/** A confirmation whose signature checked out. */
export interface VerifyUserRequest {
  flow: unknown
  tenant: unknown
}

/**
 * Reads and authenticates a confirmation; `now` in ms. Throws `route_not_found` when no secret
 * is configured, `user_verification_failed` for a missing or wrong signature, and
 * `invalid_request` for a body that is not a small JSON object.
 */
export async function readVerifyUserRequest(request: Request, secret: string | undefined, now: number): Promise<VerifyUserRequest> {
  if (secret === undefined) throw new LatchkeyError('route_not_found', 'HTTP confirmations are off: set USER_VERIFY_SECRET, or confirm over the service binding.')
  if (Number(request.headers.get('Content-Length') ?? '0') > MAX_VERIFY_BODY_BYTES) throw tooLarge()
  const bytes = await readLimitedBytes(request.body, MAX_VERIFY_BODY_BYTES)
  if (bytes === null) throw tooLarge()
  let body: string
  try {
    body = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes)
  } catch {
    throw new LatchkeyError('invalid_request', 'The body is not valid UTF-8.')
  }
  const signature = request.headers.get(SIGNATURE_HEADER) ?? ''
  if (!(await verifyWebhookSignature(secret, signature, body, Math.floor(now / 1000)))) {
    throw new LatchkeyError('user_verification_failed', `The ${SIGNATURE_HEADER} header is missing, wrong or older than 5 minutes: sign "<t>.<body>" with USER_VERIFY_SECRET.`)
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(body)
  } catch {
    throw new LatchkeyError('invalid_request', 'The body is not JSON.')
  }
  if (!isRecord(parsed)) throw new LatchkeyError('invalid_request', 'Send {"flow": "...", "tenant": "..."}.')
  return { flow: parsed['flow'], tenant: parsed['tenant'] }
}

function tooLarge(): LatchkeyError {
  return new LatchkeyError('invalid_request', `The body is larger than ${MAX_VERIFY_BODY_BYTES} bytes.`)
}
