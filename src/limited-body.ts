/**
 * Reads a body Latchkey does not control (a provider's response, a browser's form, a caller's
 * proxy request) up to a byte limit (S18). A body over the limit is cancelled unread, so no
 * sender can make the Worker buffer an unbounded stream.
 */

/** The bytes of `stream`, or `null` when it is larger than `maxBytes` (the rest is not read). */
export async function readLimitedBytes(stream: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<Uint8Array | null> {
  if (stream === null) return new Uint8Array(0)
  const reader = stream.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > maxBytes) {
      await reader.cancel()
      return null
    }
    chunks.push(value)
  }
  const bytes = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  return bytes
}

/** A response body as UTF-8 text, or `null` when it is larger than `maxBytes`. */
export async function readLimitedText(response: Response, maxBytes: number): Promise<string | null> {
  const bytes = await readLimitedBytes(response.body, maxBytes)
  return bytes === null ? null : new TextDecoder().decode(bytes)
}
