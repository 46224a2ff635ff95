/**
 * Compiles a `rest-api-mapping` method (Membrane's newer type, e.g. `auth/test.rest.yml`):
 * `{ path, method?, requestMapping?: { query?, headers?, data?, pathParameters? },
 * responseMapping? }`, one request through the connection's API client. Each part is
 * pre-parsed with the formula engine; the HTTP method is fixed at build time, upper-cased.
 */
import { compileMapping } from '../../src/formula/index.ts'
import type { MappingNode } from '../../src/formula/index.ts'
import type { CompiledMethod, MethodName } from '../../src/registry/types.ts'
import type { Diagnostic } from './diagnostics.ts'
import { didYouMean } from '../../src/did-you-mean.ts'
import { isFormula } from './literal-fields.ts'
import { isRecord } from '../../src/is-record.ts'
import { mappingIssueDiagnostics } from './mapping-issues.ts'
import { diagnosticAt } from './yaml-source.ts'
import type { YamlPath, YamlSource } from './yaml-source.ts'

/** Keys of a rest-api-mapping. */
export const REST_API_MAPPING_KEYS = ['path', 'method', 'requestMapping', 'responseMapping'] as const

/** Keys of its requestMapping. */
export const REQUEST_MAPPING_KEYS = ['query', 'headers', 'data', 'pathParameters'] as const

// RFC 9110 section 9.1: a method is a token.
const METHOD_TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

/** The YAML of a rest-api-mapping: the raw value, found at `path` inside `source`. */
export interface RestApiMappingSource {
  raw: unknown
  source: YamlSource
  path: YamlPath
  origin: string
}

/** Compiles the rest-api-mapping implementing `method`; either the compiled method or every problem found. */
export function compileRestApiMapping(method: MethodName, input: RestApiMappingSource): { compiled: CompiledMethod | undefined; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = []
  const report = (path: YamlPath, message: string, target: 'key' | 'value' = 'value'): void => {
    diagnostics.push(diagnosticAt(input.source, [...input.path, ...path], message, { target }))
  }
  const failed = (): { compiled: undefined; diagnostics: Diagnostic[] } => ({ compiled: undefined, diagnostics })
  const raw = input.raw
  if (raw === null || raw === undefined) {
    report([], `the ${method} rest-api-mapping is empty: write at least its path, e.g. path: /me`)
    return failed()
  }
  if (!isRecord(raw) || isFormula(raw)) {
    report([], `the ${method} rest-api-mapping must be a mapping with path and optionally ${REST_API_MAPPING_KEYS.slice(1).join(', ')}`)
    return failed()
  }
  for (const key of Object.keys(raw)) {
    if (!(REST_API_MAPPING_KEYS as readonly string[]).includes(key)) {
      report([key], `unknown key ${key} in the ${method} rest-api-mapping${didYouMean(key, REST_API_MAPPING_KEYS)} (allowed: ${REST_API_MAPPING_KEYS.join(', ')})`, 'key')
    }
  }

  if (raw.path === undefined || raw.path === null) {
    report([], `the ${method} rest-api-mapping has no path: write the request path, relative to the API client's baseUri, e.g. path: /me`, 'key')
  } else if (!isFormula(raw.path) && (typeof raw.path !== 'string' || raw.path === '')) {
    report(['path'], `path must be a non-empty string (relative to the API client's baseUri, e.g. /me) or a formula`)
  }
  const httpMethod = readHttpMethod(raw.method, report)
  const requestMapping = raw.requestMapping ?? null
  if (requestMapping !== null && !isFormula(requestMapping)) checkRequestMapping(requestMapping, report)

  const path = raw.path === undefined || raw.path === null ? undefined : compilePart(raw.path, ['path'], input, diagnostics)
  const request = requestMapping === null ? null : compilePart(requestMapping, ['requestMapping'], input, diagnostics)
  const response = raw.responseMapping === undefined || raw.responseMapping === null ? null : compilePart(raw.responseMapping, ['responseMapping'], input, diagnostics)
  if (diagnostics.length > 0 || path === undefined || httpMethod === undefined || request === undefined || response === undefined) return failed()
  return {
    compiled: { implementationType: 'rest-api-mapping', path, method: httpMethod, requestMapping: request, responseMapping: response, source: input.origin },
    diagnostics,
  }
}

type Report = (path: YamlPath, message: string, target?: 'key' | 'value') => void

// GET when absent; real files write it in lower case (`method: post`).
function readHttpMethod(value: unknown, report: Report): string | undefined {
  if (value === undefined || value === null) return 'GET'
  if (typeof value !== 'string') {
    report(['method'], `method must be an HTTP method written as text, e.g. GET or POST (a formula is not allowed: the method is fixed at build time)`)
    return undefined
  }
  if (!METHOD_TOKEN.test(value)) {
    report(['method'], `method ${JSON.stringify(value)} is not an HTTP method (a token such as GET, POST, PUT, PATCH, DELETE)`)
    return undefined
  }
  return value.toUpperCase()
}

function checkRequestMapping(requestMapping: unknown, report: Report): void {
  if (!isRecord(requestMapping)) {
    report(['requestMapping'], `requestMapping must be a mapping with ${REQUEST_MAPPING_KEYS.join(', ')} (or a formula)`)
    return
  }
  for (const [key, value] of Object.entries(requestMapping)) {
    if (!(REQUEST_MAPPING_KEYS as readonly string[]).includes(key)) {
      report(['requestMapping', key], `unknown key ${key} in requestMapping${didYouMean(key, REQUEST_MAPPING_KEYS)} (allowed: ${REQUEST_MAPPING_KEYS.join(', ')})`, 'key')
    } else if (key !== 'data' && value !== null && !isRecord(value)) {
      report(['requestMapping', key], `requestMapping.${key} must be a mapping of names to values (or a formula)`)
    }
  }
}

// Compiles one part; `undefined` when it has issues (then reported), so `null` stays "absent".
function compilePart(raw: unknown, at: YamlPath, input: RestApiMappingSource, diagnostics: Diagnostic[]): MappingNode | undefined {
  const result = compileMapping(raw)
  if (result.ok) return result.node
  diagnostics.push(...mappingIssueDiagnostics(input.source, [...input.path, ...at], result.issues))
  return undefined
}
