/**
 * The end of a connect flow as the application sees it: Latchkey's 303 to the return URL carries
 * `connection_id` and `status` (`connected`, `needs_reauth`, `error`), or `error` (a Latchkey
 * error code) and perhaps `provider_error` (src/flow/flow-ending.ts). Read as untrusted input:
 * only the documented parameters, each at most once, in the documented shapes.
 */

/** How the flow ended. */
export type ConnectResult =
  | { ok: true; connectionId: string; status: 'connected' | 'needs_reauth' | 'error' }
  | { ok: false; error: string; providerError: string | null; connectionId: string | null }

const CONNECTION_ID = /^conn_[a-z2-7]{26}$/
const ERROR_CODE = /^[a-z_]{1,64}$/
const STATUSES = new Set(['connected', 'needs_reauth', 'error'])

/** Reads the return URL's query; throws an Error when it is not a result Latchkey sends. */
export function readConnectResult(returnUrl: URL): ConnectResult {
  const single = (name: string): string | null => {
    const values = returnUrl.searchParams.getAll(name)
    if (values.length > 1) throw new Error(`the return URL has ${name} more than once`)
    return values[0] ?? null
  }
  const connectionId = single('connection_id')
  const status = single('status')
  const error = single('error')
  const providerError = single('provider_error')
  if (connectionId !== null && !CONNECTION_ID.test(connectionId)) throw new Error('the return URL has a malformed connection_id')
  if (error !== null) {
    if (!ERROR_CODE.test(error)) throw new Error('the return URL has a malformed error code')
    if (providerError !== null && !ERROR_CODE.test(providerError)) throw new Error('the return URL has a malformed provider_error')
    return { ok: false, error, providerError, connectionId }
  }
  if (status === null || !STATUSES.has(status)) throw new Error('the return URL has neither an error nor a known status')
  if (connectionId === null) throw new Error('the return URL has a status but no connection_id')
  return { ok: true, connectionId, status: status as 'connected' | 'needs_reauth' | 'error' }
}
