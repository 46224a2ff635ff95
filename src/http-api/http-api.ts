/**
 * The opt-in HTTP API under /v1 (issue #16): the LatchkeyService operations over HTTPS for
 * callers that cannot use a service binding. What every request goes through, in order:
 *
 *   1. the switch: without API_KEYS every /v1 path is the Worker's ordinary 404 page, exactly
 *      as if the API did not exist; a malformed API_KEYS answers 500 `server_misconfigured`
 *      to everything (fails closed; api-keys.ts logs why);
 *   2. the audit record, written when the call is answered (audit-log.ts);
 *   3. `/v1/openapi.json`, public; every other route's guard (access-guard.ts: key, rate
 *      limit, scope, tenant), then its request validation, then the operation;
 *   4. any failure as problem+json (problem.ts); an unknown /v1 path is `route_not_found`.
 *
 * `createHttpApi` takes the operations as a function of the environment, so this module loads
 * outside workerd too (scripts/openapi.ts generates the document from it);
 * latchkey-http-api.ts binds it to LatchkeyApi, and lazy-http-api.ts loads that on demand.
 */
import { OpenAPIHono, type z } from '@hono/zod-openapi'
import type { Context, MiddlewareHandler } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { isLatchkeyError, LatchkeyError } from '../errors.ts'
import { respondNotFound } from '../flow/error-response.ts'
import type { HttpEnv } from '../http/http-env.ts'
import { readApiKeyConfiguration } from './api-keys.ts'
import { logApiCall, newApiCallRecord } from './audit-log.ts'
import { registerConnectUrlRoute } from './connect-url-route.ts'
import { registerConnectionRoutes } from './connection-routes.ts'
import { registerConnectorRoutes } from './connector-routes.ts'
import type { HttpApiApp, HttpApiEnv, HttpApiOperations } from './http-api-env.ts'
import { HttpApiError } from './http-api-error.ts'
import { openApiDocument, registerSecurityScheme } from './openapi-document.ts'
import { problemOf, problemResponse, type Problem } from './problem.ts'
import { registerProxyRoute } from './proxy-route.ts'
import { registerTokenRoutes } from './token-routes.ts'

/** The path of the served OpenAPI document. */
export const OPENAPI_PATH = '/v1/openapi.json'

/** The HTTP API's app, calling `operationsFor(env)` for each request's operations; it serves paths under /v1. */
export function createHttpApi(operationsFor: (env: Env) => HttpApiOperations): HttpApiApp {
  const app = new OpenAPIHono<HttpApiEnv>({ defaultHook: refuseInvalidRequest })
  app.use('/v1/*', requireApiEnabled)
  app.use('/v1/*', async (c, next) => {
    const call = newApiCallRecord()
    c.set('apiCall', call)
    c.set('latchkey', operationsFor(c.env))
    await next()
    logApiCall(call, c.res.status)
  })
  let document: ReturnType<typeof openApiDocument> | undefined
  app.get(OPENAPI_PATH, (c) => {
    c.get('apiCall').operation = 'openApiDocument'
    document ??= openApiDocument(app)
    return c.json(document)
  })
  registerConnectionRoutes(app)
  registerConnectUrlRoute(app)
  registerTokenRoutes(app)
  registerProxyRoute(app)
  registerConnectorRoutes(app)
  registerSecurityScheme(app)
  app.all('/v1/*', (c) => {
    throw new LatchkeyError('route_not_found', `The HTTP API has no ${c.req.method} ${new URL(c.req.url).pathname.slice(0, 100)}; see ${OPENAPI_PATH}.`)
  })
  app.onError(respondWithProblem)
  return app
}

/** Step 1: the API answers only when API_KEYS is set, and nothing at all while it is malformed. */
const requireApiEnabled: MiddlewareHandler<HttpApiEnv> = async (c, next) => {
  const configuration = readApiKeyConfiguration(c.env)
  // The ordinary 404 page: with the API off, /v1 is no different from any unknown path (S14).
  if (configuration.state === 'off') return respondNotFound(c as unknown as Context<HttpEnv>)
  if (configuration.state === 'invalid') {
    return problemResponse(problemOf('server_misconfigured', 500, 'The HTTP API is misconfigured (API_KEYS); the Worker logs say what to fix.'))
  }
  c.set('apiKeys', configuration.keys)
  return next()
}

/** Request validation failures (zod, from the route's schemas) are `invalid_request`, naming the fields, never their values. */
function refuseInvalidRequest(result: { target: string; success: boolean; error?: z.ZodError }): void {
  if (result.success || result.error === undefined) return
  const where = { json: 'body', query: 'query', header: 'header', param: 'path' }[result.target] ?? result.target
  const issues = result.error.issues.slice(0, 3).map((issue) => `${[where, ...issue.path.map(String)].join('.')}: ${issue.message}`)
  throw new LatchkeyError('invalid_request', `The request does not match the API: ${issues.join('; ')}.`)
}

/** Every error as problem+json, recorded in the call's audit line. */
function respondWithProblem(error: unknown, c: Context<HttpApiEnv>): Response {
  const { problem, headers } = problemFor(error)
  const call = c.get('apiCall') as HttpApiEnv['Variables']['apiCall'] | undefined
  if (call !== undefined) call.outcome = problem.code
  return problemResponse(problem, headers)
}

function problemFor(error: unknown): { problem: Problem; headers?: Readonly<Record<string, string>> } {
  if (error instanceof HttpApiError) return { problem: problemOf(error.code, error.status, error.message), headers: error.headers }
  if (isLatchkeyError(error)) return { problem: problemOf(error.code, error.status, error.message) }
  // Hono's own refusals while reading a body: its messages are fixed, but ours say what to do.
  if (error instanceof HTTPException && error.status === 415) return { problem: problemOf('invalid_request', 400, 'Send the body as JSON, with Content-Type: application/json.') }
  if (error instanceof HTTPException && error.status < 500) return { problem: problemOf('invalid_request', 400, 'The request body is not valid JSON.') }
  console.error('latchkey: unexpected error in the HTTP API', describeUnexpected(error))
  return { problem: problemOf('internal_error', 500, 'Latchkey failed unexpectedly. Try again; the Worker logs have details.') }
}

/** Name and stack frames only: a message may quote a secret (S13). */
function describeUnexpected(error: unknown): string {
  if (!(error instanceof Error)) return typeof error
  const frames = (error.stack ?? '').split('\n').filter((line) => line.trimStart().startsWith('at '))
  return [error.name, ...frames.slice(0, 5)].join('\n')
}
