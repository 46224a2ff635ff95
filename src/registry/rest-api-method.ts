/**
 * Runs a `rest-api-mapping` method (Membrane's newer method type): one request through the
 * API client the method is given, shaped by the compiled `path`, `requestMapping` and
 * `responseMapping`. `test` as a GET of `/me` is the typical use: a truthy result means ok.
 */
import { evaluateMapping } from '../formula/index.ts'
import { LatchkeyError } from '../errors.ts'
import { isRecord } from '../is-record.ts'
import type { CompiledRestApiRequest } from './types.ts'

/** The part of the API client object (connection/api-client.ts) a rest-api-mapping needs. */
interface RequestingClient {
  get(path: string, query?: Record<string, unknown>, options?: object): Promise<unknown>
  delete(path: string, query?: Record<string, unknown>, options?: object): Promise<unknown>
  post(path: string, data?: unknown, options?: object): Promise<unknown>
  put(path: string, data?: unknown, options?: object): Promise<unknown>
  patch(path: string, data?: unknown, options?: object): Promise<unknown>
}

/** Sends the mapped request with `args.apiClient` and returns the mapped response (or its body). */
export async function runRestApiMethod(method: CompiledRestApiRequest, args: Record<string, unknown>, describe: string): Promise<unknown> {
  const misconfigured = (message: string): LatchkeyError => new LatchkeyError('connector_misconfigured', `${describe} ${message}`)
  const client = args['apiClient']
  if (!isRequestingClient(client)) throw misconfigured('is a rest-api-mapping, which runs only where an API client exists (test, disconnect).')
  const request = method.requestMapping === null ? {} : evaluateMapping(method.requestMapping, args)
  if (request !== undefined && !isRecord(request)) throw misconfigured('has a requestMapping that is not an object of query, headers, data and pathParameters.')
  const { query, headers, data, pathParameters } = request ?? {}
  const rawPath = evaluateMapping(method.path, args)
  if (typeof rawPath !== 'string' || rawPath === '') throw misconfigured('has a path that does not evaluate to a non-empty string.')
  if (query !== undefined && !isRecord(query)) throw misconfigured('has requestMapping.query that is not an object.')
  if (headers !== undefined && !isRecord(headers)) throw misconfigured('has requestMapping.headers that is not an object.')
  if (pathParameters !== undefined && !isRecord(pathParameters)) throw misconfigured('has requestMapping.pathParameters that is not an object.')
  const path = rawPath.replace(/\{([^{}]+)\}/g, (whole, name: string) => {
    const value = pathParameters?.[name.trim()]
    return value === undefined || value === null ? whole : encodeURIComponent(String(value))
  })
  const options = { headers: stringValues(headers ?? {}), returnFullResponse: true }
  let response: unknown
  switch (method.method) {
    case 'GET':
      response = await client.get(path, query, options)
      break
    case 'DELETE':
      response = await client.delete(path, query, options)
      break
    case 'POST':
    case 'PUT':
    case 'PATCH':
      response = await client[method.method === 'POST' ? 'post' : method.method === 'PUT' ? 'put' : 'patch'](path, data, { ...options, query })
      break
    default:
      throw misconfigured(`uses the HTTP method ${method.method}; rest-api-mapping sends GET, POST, PUT, PATCH or DELETE.`)
  }
  if (method.responseMapping === null) return isRecord(response) ? response['data'] : response
  return evaluateMapping(method.responseMapping, { ...args, response })
}

function isRequestingClient(value: unknown): value is RequestingClient {
  return isRecord(value) && ['get', 'post', 'put', 'patch', 'delete'].every((name) => typeof value[name] === 'function')
}

function stringValues(record: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(record)
      .filter(([, value]) => value !== undefined && value !== null)
      .map(([name, value]) => [name, String(value)]),
  )
}
