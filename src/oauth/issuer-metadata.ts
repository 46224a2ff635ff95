/**
 * Trust boundary: an issuer's discovery document (OpenID Connect Discovery 1.0 section 4,
 * `${issuer}/.well-known/openid-configuration`). Latchkey reads two facts from it: where the
 * issuer's signing keys are (`jwks_uri`, for id_tokens, S17) and whether the issuer promises
 * `iss` in every authorization response (RFC 9207 section 3, for the mix-up check, S6). The
 * request (`fetchIssuerMetadata`) is separate from the pure validation (`processIssuerMetadata`).
 */
import { isRecord } from '../is-record.ts'
import { readLimitedText } from '../limited-body.ts'
import { isAllowedEndpoint } from './oauth-config.ts'

/** What Latchkey uses of an issuer's metadata. */
export interface IssuerMetadata {
  /** `jwks_uri` when it is an allowed endpoint (https, or loopback http with ALLOW_INSECURE_LOOPBACK), else null. */
  jwksUri: string | null
  /** `authorization_response_iss_parameter_supported` is `true` (RFC 9207 section 3). */
  issParameterSupported: boolean
}

/** The metadata, or why it could not be used (a phrase: "answered HTTP 404", "names another issuer"). */
export type IssuerMetadataResult = { ok: true; metadata: IssuerMetadata } | { ok: false; reason: string }

/** Discovery documents bigger than this are refused unread (S18); real ones are a few KiB. */
export const MAX_DISCOVERY_DOCUMENT_BYTES = 64 * 1024
const DISCOVERY_TIMEOUT_MS = 10_000

/**
 * Fetches and validates the discovery document of `issuer` (an endpoint already checked by
 * validateOAuthConfig). Redirects are not followed; network errors and timeouts are a failure
 * result, never a throw.
 */
export async function fetchIssuerMetadata(issuer: string, allowInsecureLoopback: boolean): Promise<IssuerMetadataResult> {
  let response: Response
  try {
    response = await fetch(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`, {
      headers: { Accept: 'application/json' },
      redirect: 'manual',
      signal: AbortSignal.timeout(DISCOVERY_TIMEOUT_MS),
    })
  } catch {
    return { ok: false, reason: 'could not be fetched' }
  }
  try {
    return await processIssuerMetadata(response, issuer, allowInsecureLoopback)
  } catch {
    // The body stream broke or timed out half-way.
    return { ok: false, reason: 'could not be read' }
  }
}

/**
 * Validates a discovery response: 200, a JSON object of at most MAX_DISCOVERY_DOCUMENT_BYTES
 * whose `issuer` is exactly `issuer` (OpenID Connect Discovery 1.0 section 4.3).
 */
export async function processIssuerMetadata(response: Response, issuer: string, allowInsecureLoopback: boolean): Promise<IssuerMetadataResult> {
  if (response.status !== 200) {
    await response.body?.cancel()
    return { ok: false, reason: `answered HTTP ${response.status}` }
  }
  const text = await readLimitedText(response, MAX_DISCOVERY_DOCUMENT_BYTES)
  if (text === null) return { ok: false, reason: `is larger than ${MAX_DISCOVERY_DOCUMENT_BYTES} bytes` }
  let document: unknown
  try {
    document = JSON.parse(text)
  } catch {
    return { ok: false, reason: 'is not JSON' }
  }
  if (!isRecord(document)) return { ok: false, reason: 'is not a JSON object' }
  const fields = document
  if (fields['issuer'] !== issuer) return { ok: false, reason: 'names another issuer' }
  const jwksUri = fields['jwks_uri']
  return {
    ok: true,
    metadata: {
      jwksUri: typeof jwksUri === 'string' && isAllowedEndpoint(jwksUri, allowInsecureLoopback) ? jwksUri : null,
      issParameterSupported: fields['authorization_response_iss_parameter_supported'] === true,
    },
  }
}
