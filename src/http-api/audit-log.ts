/**
 * One structured log line per HTTP API call, written when the response is ready:
 *
 *   {"event":"latchkey.api_call","keyId":"k7f3a9c2d1","tenant":"acme-42","connectionId":"conn_...",
 *    "operation":"getAccessToken","status":200,"outcome":"ok"}
 *
 * `outcome` is `ok` or the error code of the answer. Only identifiers go in: never a key, a
 * secret, a token, a body or a query string. Fields the call did not get as far as knowing
 * (no valid key, no route) are null.
 */

/** What one call has established so far; the guard and the error handler fill it in. */
export interface ApiCallRecord {
  /** The operation (RPC method name) of the matched route; null when no route matched. */
  operation: string | null
  /** The authenticated key's id; null until a key is verified. */
  keyId: string | null
  /** The `Latchkey-Tenant` header, when well formed. */
  tenant: string | null
  /** The connection id of the path, when it has the shape of one. */
  connectionId: string | null
  /** `ok`, or the code of the error the call was answered with. */
  outcome: string
}

/** A record for a call that has not got anywhere yet. */
export function newApiCallRecord(): ApiCallRecord {
  return { operation: null, keyId: null, tenant: null, connectionId: null, outcome: 'ok' }
}

/** Writes the call's audit line. */
export function logApiCall(record: Readonly<ApiCallRecord>, status: number): void {
  const { keyId, tenant, connectionId, operation, outcome } = record
  console.log(JSON.stringify({ event: 'latchkey.api_call', keyId, tenant, connectionId, operation, status, outcome }))
}
