/**
 * Error responses of the HTTP API as RFC 9457 problem details (`application/problem+json`):
 *
 *   {"type": "about:blank", "title": "Not Found", "status": 404,
 *    "detail": "No connection with this id exists for this tenant.", "code": "connection_not_found"}
 *
 * `type` is `about:blank` (RFC 9457 §4.2.1: the problem is what the status says), so `title` is
 * the status phrase; the stable Latchkey code (README "Error codes") is the `code` extension
 * member, the one field clients should branch on. `detail` is the error's message, which never
 * carries a secret (S13).
 */
import { z } from '@hono/zod-openapi'
import type { ErrorCode } from '../errors.ts'

/** The media type of every error response. */
export const PROBLEM_MEDIA_TYPE = 'application/problem+json'

/** A problem details document. */
export interface Problem {
  type: 'about:blank'
  title: string
  status: number
  detail: string
  code: ErrorCode
}

/** The problem document's schema, for the OpenAPI document. */
export const ProblemSchema = z
  .object({
    type: z.literal('about:blank'),
    title: z.string().openapi({ description: 'The HTTP status phrase.', example: 'Not Found' }),
    status: z.number().int().openapi({ example: 404 }),
    detail: z.string().openapi({ description: 'What went wrong and what to do; never a secret.', example: 'No connection with this id exists for this tenant.' }),
    code: z.string().openapi({ description: 'The stable Latchkey error code (README "Error codes").', example: 'connection_not_found' }),
  })
  .openapi('Problem', { description: 'RFC 9457 problem details with the stable Latchkey error code.' })

const STATUS_TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
}

/** The problem document of an error with `code`, `status` and `detail`. */
export function problemOf(code: ErrorCode, status: number, detail: string): Problem {
  return { type: 'about:blank', title: STATUS_TITLES[status] ?? 'Error', status, detail, code }
}

/** The response carrying `problem`, with any extra headers the status calls for. */
export function problemResponse(problem: Problem, headers: Readonly<Record<string, string>> = {}): Response {
  return new Response(JSON.stringify(problem), { status: problem.status, headers: { ...headers, 'Content-Type': PROBLEM_MEDIA_TYPE } })
}
