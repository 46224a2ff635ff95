/**
 * The tests' HTTP API caller: one request to the Worker (through SELF, or through its fetch
 * handler with another environment), with an API key and a tenant header when given, and the
 * problem document of an error answer.
 */
import { createExecutionContext, SELF, waitOnExecutionContext } from 'cloudflare:test'
import { expect } from 'vitest'
import worker from '../../src/index.ts'

/** What a call sends besides method and path. */
export interface ApiCallOptions {
  /** The whole `lk_...` key, sent as `Authorization: Bearer <key>`. */
  key?: string
  /** The `Latchkey-Tenant` header. */
  tenant?: string
  /** Sent as JSON. */
  json?: unknown
  headers?: Record<string, string>
  body?: BodyInit
  /** Another Worker environment than the test pool's (e.g. another API_KEYS). */
  env?: Env
}

/** Calls the Worker's HTTP API. */
export function callApi(method: string, path: string, options: ApiCallOptions = {}): Promise<Response> {
  const headers = new Headers(options.headers)
  if (options.key !== undefined) headers.set('Authorization', `Bearer ${options.key}`)
  if (options.tenant !== undefined) headers.set('Latchkey-Tenant', options.tenant)
  let body = options.body ?? null
  if (options.json !== undefined) {
    headers.set('Content-Type', 'application/json')
    body = JSON.stringify(options.json)
  }
  const request = new Request(`https://latchkey.test${path}`, { method, headers, body, redirect: 'manual' })
  return options.env === undefined ? SELF.fetch(request) : callWorker(request, options.env)
}

async function callWorker(request: Request, env: Env): Promise<Response> {
  const context = createExecutionContext()
  const response = await worker.fetch(request, env, context)
  await waitOnExecutionContext(context)
  return response
}

/** An RFC 9457 problem document as the API sends it. */
export interface ProblemBody {
  type: string
  title: string
  status: number
  detail: string
  code: string
}

/** The problem document of `response`, after checking its status and media type. */
export async function problemOf(response: Response, status: number): Promise<ProblemBody> {
  const text = await response.text()
  expect(response.status, text).toBe(status)
  expect(response.headers.get('Content-Type')).toBe('application/problem+json')
  return JSON.parse(text) as ProblemBody
}
