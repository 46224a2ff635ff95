/**
 * The size limit of the HTTP API's JSON request bodies (S18): they are read whole before
 * validation, so they are bounded. Runs after the guard, so an unauthenticated caller learns
 * nothing from it. The proxy has its own, larger limit (MAX_API_BODY_BYTES, api-request.ts).
 */
import type { MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { LatchkeyError } from '../errors.ts'

/** Largest JSON body a route accepts: far above any connection input (4096 bytes) or options. */
export const MAX_JSON_BODY_BYTES = 64 * 1024

/** Refuses a larger body with `invalid_request` before anything reads it. */
export const jsonBodyLimit: MiddlewareHandler = bodyLimit({
  maxSize: MAX_JSON_BODY_BYTES,
  onError: () => {
    throw new LatchkeyError('invalid_request', `The request body is larger than ${MAX_JSON_BODY_BYTES} bytes.`)
  },
})
