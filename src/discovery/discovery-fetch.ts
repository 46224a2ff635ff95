/**
 * The only way discovery talks to the network: one request to a URL already checked by
 * checkDiscoveredUrl, with no redirect followed (a 3xx is refused, since its target was never
 * checked), a time limit on top of the caller's signal, only the headers the caller lists (never a
 * credential), and a size limit on the body. Metadata documents must be 200 application/json objects (RFC 9728 section 3.2, RFC 8414
 * section 3.2). `fetch` is a parameter: the Worker's global fetch in production, any fetch in
 * tests with real local servers.
 */
import { isRecord } from '../is-record.ts'
import { readLimitedText } from '../limited-body.ts'
import { LatchkeyError } from '../errors.ts'

/** How discovery requests are sent. */
export interface DiscoveryFetchOptions {
  /** The fetch to send requests with. */
  fetch: typeof fetch
  /** Aborts every request of this discovery (an overall limit, a client gone away, a test's control). */
  signal?: AbortSignal | undefined
  /** Each request, body included, is aborted after this long; default DEFAULT_DISCOVERY_TIMEOUT_MS. */
  timeoutMs?: number | undefined
  /** Bodies larger than this are refused unread; default MAX_DISCOVERY_BODY_BYTES. */
  maxBodyBytes?: number | undefined
}

/** A request discovery sends: a metadata GET or a resource probe. */
export interface DiscoveryRequest {
  method: 'GET' | 'POST'
  headers: Record<string, string>
  body: string | null
}

/** Per request; metadata documents are static files and answer in milliseconds. */
export const DEFAULT_DISCOVERY_TIMEOUT_MS = 10_000
/** Real metadata documents are a few KiB (S18). */
export const MAX_DISCOVERY_BODY_BYTES = 64 * 1024

/** A metadata request's outcome: the document, or the 4xx that says it is not at this URL. */
export type MetadataDocumentResult = { found: true; document: Record<string, unknown> } | { found: false; status: number }

/**
 * Sends `request` to `url` and returns the response with its body unread, under the time limit.
 * A network error, a timeout, an abort or a redirect throws `discovery_failed`.
 */
export async function sendDiscoveryRequest(url: URL, request: DiscoveryRequest, what: string, options: DiscoveryFetchOptions): Promise<Response> {
  const timeout = AbortSignal.timeout(options.timeoutMs ?? DEFAULT_DISCOVERY_TIMEOUT_MS)
  const signal = options.signal === undefined ? timeout : AbortSignal.any([options.signal, timeout])
  let response: Response
  try {
    response = await options.fetch(url.href, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      redirect: 'manual',
      signal,
    })
  } catch (error) {
    throw new LatchkeyError('discovery_failed', `${what} could not be fetched (network error, timeout or abort).`, { cause: error })
  }
  // Status 0 is how a fetch that hides redirects (type "opaqueredirect") reports one.
  if (response.status === 0 || (response.status >= 300 && response.status < 400)) {
    await discardBody(response)
    throw new LatchkeyError('discovery_failed', `${what} answered with a redirect; discovery follows none.`)
  }
  return response
}

/**
 * GETs a metadata document. 200 must be a JSON object of at most the size limit; another 4xx
 * means "not here" (the caller tries its next well-known URL); anything else throws
 * `discovery_failed`.
 */
export async function fetchMetadataDocument(url: URL, what: string, options: DiscoveryFetchOptions): Promise<MetadataDocumentResult> {
  const response = await sendDiscoveryRequest(url, { method: 'GET', headers: { Accept: 'application/json' }, body: null }, what, options)
  if (response.status >= 400 && response.status < 500) {
    await discardBody(response)
    return { found: false, status: response.status }
  }
  if (response.status !== 200) {
    await discardBody(response)
    throw new LatchkeyError('discovery_failed', `${what} answered HTTP ${response.status}.`)
  }
  if (!isJsonMediaType(response.headers.get('Content-Type'))) {
    await discardBody(response)
    throw new LatchkeyError('discovery_failed', `${what} is not application/json.`)
  }
  const maxBytes = options.maxBodyBytes ?? MAX_DISCOVERY_BODY_BYTES
  let text: string | null
  try {
    text = await readLimitedText(response, maxBytes)
  } catch (error) {
    throw new LatchkeyError('discovery_failed', `${what} could not be read to the end (timeout or abort).`, { cause: error })
  }
  if (text === null) throw new LatchkeyError('discovery_failed', `${what} is larger than ${maxBytes} bytes.`)
  let document: unknown
  try {
    document = JSON.parse(text)
  } catch {
    throw new LatchkeyError('discovery_failed', `${what} is not valid JSON.`)
  }
  if (!isRecord(document)) throw new LatchkeyError('discovery_failed', `${what} is not a JSON object.`)
  return { found: true, document }
}

/** Drops a body nobody reads, so the connection is released; a body that already failed is no news. */
export async function discardBody(response: Response): Promise<void> {
  try {
    await response.body?.cancel()
  } catch {
    // Already errored or aborted: nothing left to release.
  }
}

/** Whether a Content-Type is `application/json` (parameters such as charset allowed). */
export function isJsonMediaType(contentType: string | null): boolean {
  return contentType !== null && contentType.split(';', 1)[0]?.trim().toLowerCase() === 'application/json'
}
