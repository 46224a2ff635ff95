/**
 * Build-time type checks of a makeApiClient mapping: its literal fields, at the top level
 * (the docs) or under `args:` (real connector files), are held to the rules the runtime
 * applies to the evaluated result (src/connection/api-client-config.ts).
 */
import { isRecord } from '../../src/is-record.ts'
import { isFormula, unknownKeys, uriProblem } from './literal-fields.ts'
import type { LocatedProblem } from './literal-fields.ts'
import type { YamlPath } from './yaml-source.ts'

/** Fields of a makeApiClient result; `responseHandlers` is part of the format. */
export const API_CLIENT_FIELDS = ['baseUri', 'headers', 'query', 'auth', 'responseHandlers'] as const

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

/** Problems with the literal fields of the raw makeApiClient mapping `raw` (paths relative to it). */
export function checkApiClientMapping(raw: unknown): LocatedProblem[] {
  if (isFormula(raw)) return []
  if (!isRecord(raw)) {
    return [{ path: [], target: 'value', problem: { kind: 'root_not_object', method: 'makeApiClient', known: [...API_CLIENT_FIELDS, 'args'], found: raw } }]
  }
  const { args, ...topLevel } = raw
  const problems = [...unknownKeys(topLevel, [], 'makeApiClient', [...API_CLIENT_FIELDS, 'args']), ...fieldsProblems(topLevel, [], '')]
  if (args === undefined || args === null || isFormula(args)) return problems
  if (!isRecord(args)) return [...problems, { path: ['args'], target: 'value', problem: { kind: 'not_object', field: 'args', found: args } }]
  return [...problems, ...unknownKeys(args, ['args'], 'makeApiClient args', API_CLIENT_FIELDS), ...fieldsProblems(args, ['args'], 'args.')]
}

// The fields of one level (`prefix` is how messages name it: '' or 'args.').
function fieldsProblems(fields: Record<string, unknown>, path: YamlPath, prefix: string): LocatedProblem[] {
  const problems: LocatedProblem[] = []
  const literal = (field: string): boolean => field in fields && !isFormula(fields[field])
  const at = (subPath: YamlPath, problem: LocatedProblem['problem'], target: 'key' | 'value' = 'value'): void => {
    problems.push({ path: [...path, ...subPath], target, problem })
  }

  const baseUri = fields.baseUri
  if (literal('baseUri')) {
    if (typeof baseUri !== 'string' || baseUri === '') at(['baseUri'], { kind: 'not_string', field: `${prefix}baseUri`, found: baseUri, nonEmpty: true })
    else {
      const reason = uriProblem(baseUri, false)
      if (reason) at(['baseUri'], { kind: 'bad_uri', field: `${prefix}baseUri`, found: baseUri, reason, hint: reason === 'query' ? '; set query: instead' : '' })
    }
  }
  for (const field of ['headers', 'query'] as const) {
    const map = fields[field]
    if (!literal(field) || map === null) continue
    if (!isRecord(map)) {
      at([field], { kind: 'not_object', field: `${prefix}${field}`, found: map })
      continue
    }
    for (const [name, value] of Object.entries(map)) {
      if (field === 'headers' && !HEADER_NAME.test(name)) at([field, name], { kind: 'bad_header_name', field: `${prefix}headers`, name }, 'key')
      if (value !== null && !isFormula(value) && typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
        at([field, name], { kind: 'not_scalar', field: `${prefix}${field}.${name}`, found: value })
      }
    }
  }
  const auth = fields.auth
  if (literal('auth') && auth !== null) {
    if (!isRecord(auth)) at(['auth'], { kind: 'not_object', field: `${prefix}auth`, found: auth })
    else {
      for (const part of ['username', 'password'] as const) {
        const value = auth[part]
        if (isFormula(value) || typeof value === 'string') continue
        // A missing part is reported at `auth` itself, where it should be added.
        at(part in auth ? ['auth', part] : ['auth'], { kind: 'not_string', field: `${prefix}auth.${part}`, found: value, nonEmpty: false }, part in auth ? 'value' : 'key')
      }
    }
  }
  return problems
}
