/**
 * The HTTP API as src/index.ts mounts it: one route, `/v1/*`, that loads the API (zod, the
 * OpenAPI generator and the routes, more than half of the Worker's bundle) on the first /v1
 * call of an isolate whose deployment set API_KEYS. Every other route, and every deployment
 * without the API, starts without evaluating that code. With API_KEYS unset, /v1 is the
 * ordinary 404 page, exactly as if the API did not exist (S14).
 */
import { Hono } from 'hono'
import { respondNotFound } from '../flow/error-response.ts'
import type { HttpEnv } from '../http/http-env.ts'
import { readApiKeyConfiguration } from './api-keys.ts'

/** Mount at `/`, behind the security headers like every route. */
export const httpApiRoutes = new Hono<HttpEnv>().all('/v1/*', async (c) => {
  if (readApiKeyConfiguration(c.env).state === 'off') return respondNotFound(c)
  const { httpApi } = await import('./latchkey-http-api.ts')
  return httpApi.fetch(c.req.raw, c.env)
})
