/**
 * Reads the answer to one JSON-RPC request from a Streamable HTTP response body (MCP "Transports"):
 * either one JSON object (`application/json`) or a server-sent event stream
 * (`text/event-stream`) whose `data` fields carry JSON-RPC messages, the answer among them. The
 * body is untrusted: anything that is not a JSON-RPC response with the request's id is ignored,
 * and a body without one is an error.
 */

/** A JSON-RPC response: a result or an error. */
export type JsonRpcResponse = { id: string | number; result: Record<string, unknown> } | { id: string | number; error: { code: number; message: string; data?: unknown } }

/** The response to request `id` in `body`, which arrived with `contentType`; throws an Error when there is none. */
export function readJsonRpcResponse(contentType: string | null, body: string, id: string | number): JsonRpcResponse {
  const mediaType = (contentType ?? '').split(';')[0]?.trim().toLowerCase()
  const messages = mediaType === 'text/event-stream' ? serverSentEventData(body).flatMap(parsedJson) : parsedJson(body)
  for (const message of messages.flatMap((candidate) => (Array.isArray(candidate) ? candidate : [candidate]))) {
    const response = asJsonRpcResponse(message)
    if (response !== null && response.id === id) return response
  }
  throw new Error(`no JSON-RPC response with id ${JSON.stringify(id)} in the ${mediaType || 'untyped'} body (${body.length} characters)`)
}

/** The `data` of each event of an event stream (lines joined by `\n`, per the SSE specification). */
export function serverSentEventData(stream: string): string[] {
  const events: string[] = []
  let data: string[] = []
  for (const line of stream.split(/\r\n|\r|\n/)) {
    if (line === '') {
      if (data.length > 0) events.push(data.join('\n'))
      data = []
      continue
    }
    if (line.startsWith(':')) continue
    const separator = line.indexOf(':')
    const field = separator < 0 ? line : line.slice(0, separator)
    if (field !== 'data') continue
    const value = separator < 0 ? '' : line.slice(separator + 1)
    data.push(value.startsWith(' ') ? value.slice(1) : value)
  }
  if (data.length > 0) events.push(data.join('\n'))
  return events
}

function parsedJson(text: string): unknown[] {
  try {
    return [JSON.parse(text)]
  } catch {
    return []
  }
}

function asJsonRpcResponse(message: unknown): JsonRpcResponse | null {
  if (typeof message !== 'object' || message === null) return null
  const record = message as Record<string, unknown>
  const id = record['id']
  if (record['jsonrpc'] !== '2.0' || (typeof id !== 'string' && typeof id !== 'number')) return null
  const result = record['result']
  if (typeof result === 'object' && result !== null && !Array.isArray(result)) return { id, result: result as Record<string, unknown> }
  const error = record['error']
  if (typeof error === 'object' && error !== null) {
    const { code, message: text, data } = error as Record<string, unknown>
    if (typeof code === 'number' && typeof text === 'string') return { id, error: { code, message: text, ...(data === undefined ? {} : { data }) } }
  }
  return null
}
