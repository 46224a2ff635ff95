/**
 * Trust boundary helper: reads a response body from a server Latchkey does not control, up to
 * a byte limit (S18). A body over the limit is cancelled unread, so a hostile or broken server
 * cannot make the Worker buffer an unbounded answer.
 */

/** The body as UTF-8 text, or `null` when it is larger than `maxBytes` (the rest is not read). */
export async function readLimitedText(response: Response, maxBytes: number): Promise<string | null> {
  if (!response.body) return ''
  const reader = response.body.getReader()
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
  return new TextDecoder().decode(bytes)
}
