/**
 * Reads an HTML form submission (application/x-www-form-urlencoded) from a Node request, within
 * a size limit, for the interaction routes: the only request bodies the demo server parses itself.
 */
import type { IncomingMessage } from 'node:http'

/** Far more than a name, a password and a prompt need. */
export const MAX_FORM_BYTES = 16 * 1024

/** Why a body is not a form this server reads. */
export class FormBodyError extends Error {
  constructor(
    readonly status: 400 | 413 | 415,
    message: string,
  ) {
    super(message)
    this.name = 'FormBodyError'
  }
}

/** The submitted fields; throws FormBodyError for another content type or a body over MAX_FORM_BYTES. */
export async function readFormBody(req: IncomingMessage): Promise<URLSearchParams> {
  const contentType = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase()
  if (contentType !== 'application/x-www-form-urlencoded') throw new FormBodyError(415, 'Expected a form submission.')
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    const bytes = chunk as Buffer
    size += bytes.byteLength
    if (size > MAX_FORM_BYTES) throw new FormBodyError(413, 'The form submission is too large.')
    chunks.push(bytes)
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'))
}

/** The one value of `name`: null when absent; throws FormBodyError when it is sent twice. */
export function singleField(form: URLSearchParams, name: string): string | null {
  const values = form.getAll(name)
  if (values.length > 1) throw new FormBodyError(400, `The field "${name}" was sent more than once.`)
  return values[0] ?? null
}
