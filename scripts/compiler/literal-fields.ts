/**
 * Build-time checks of the literal fields of a method's mapping (getOAuthConfig,
 * makeApiClient): what the build can see is type-checked here, at the author's line, so a
 * typo like `clientAuthLocation: header` fails the build instead of the first connection.
 * A field written as a formula (`$var`, `$concat`, ...) is left to the runtime validation.
 * Checks return tagged problems; `fieldDiagnostic` turns them into messages in one switch.
 */
import type { Diagnostic } from './diagnostics.ts'
import { didYouMean } from '../../src/did-you-mean.ts'
import { isRecord } from '../../src/is-record.ts'
import { isLoopbackHost } from '../../src/loopback-host.ts'
import { diagnosticAt } from './yaml-source.ts'
import type { YamlPath, YamlSource } from './yaml-source.ts'

/** Why a URI field is refused; the same rules as the runtime's endpoint check (S10). */
export type UriReason = 'not_absolute' | 'not_https' | 'fragment' | 'userinfo' | 'query'

/** One problem with a literal field; `field` is the field as the author wrote it (`args.baseUri`, `scopes[1]`). */
export type FieldProblem =
  | { kind: 'root_not_object'; method: string; known: readonly string[]; found: unknown }
  /** `nonEmpty`: an empty string is refused too. */
  | { kind: 'not_string'; field: string; found: unknown; nonEmpty: boolean }
  | { kind: 'not_boolean'; field: string; found: unknown }
  | { kind: 'not_object'; field: string; found: unknown }
  | { kind: 'not_scalar'; field: string; found: unknown }
  | { kind: 'not_scopes'; field: string; found: unknown }
  | { kind: 'not_allowed'; field: string; found: unknown; allowed: readonly string[] }
  | { kind: 'bad_uri'; field: string; found: string; reason: UriReason; hint: string }
  | { kind: 'bad_header_name'; field: string; name: string }
  | { kind: 'reserved_extra'; name: string; reserved: readonly string[] }
  | { kind: 'scope_twice' }
  | { kind: 'unknown_key'; method: string; key: string; known: readonly string[] }

/** A problem and where it is inside the mapping (`target` as in `diagnosticAt`). */
export interface LocatedProblem {
  path: YamlPath
  target: 'key' | 'value'
  problem: FieldProblem
}

/** The problem as a diagnostic of the mapping found at `mappingPath` of `source`. */
export function fieldDiagnostic(source: YamlSource, mappingPath: YamlPath, located: LocatedProblem): Diagnostic {
  const { problem } = located
  return diagnosticAt(source, [...mappingPath, ...located.path], fieldMessage(problem), {
    target: located.target,
    severity: problem.kind === 'unknown_key' ? 'warning' : 'error',
  })
}

function fieldMessage(problem: FieldProblem): string {
  switch (problem.kind) {
    case 'root_not_object':
      return `${problem.method} must be a mapping of its fields (${problem.known.join(', ')}) or a formula (found ${describe(problem.found)})`
    case 'not_string':
      return `${problem.field} must be a ${problem.nonEmpty ? 'non-empty ' : ''}string (found ${describe(problem.found)})`
    case 'not_boolean':
      return `${problem.field} must be true or false (found ${describe(problem.found)})`
    case 'not_object':
      return `${problem.field} must be a mapping of names to values (found ${describe(problem.found)})`
    case 'not_scalar':
      return `${problem.field} must be a string, number or boolean (found ${describe(problem.found)})`
    case 'not_scopes':
      return `${problem.field} must be a list of strings or a space-separated string, e.g. [openid, email] (found ${describe(problem.found)})`
    case 'not_allowed': {
      const typo = typeof problem.found === 'string' ? didYouMean(problem.found, problem.allowed) : ''
      return `${problem.field} ${describe(problem.found)} is not allowed${typo} (allowed: ${problem.allowed.join(', ')})`
    }
    case 'bad_uri':
      return `${problem.field} ${uriRule(problem.reason)}${problem.hint} (found ${JSON.stringify(problem.found)})`
    case 'bad_header_name':
      return `${problem.field}: ${JSON.stringify(problem.name)} is not a valid HTTP header name (letters, digits and !#$%&'*+.^_\`|~-)`
    case 'reserved_extra':
      return `extra.${problem.name} is set by Latchkey and cannot be overridden (reserved: ${problem.reserved.join(', ')})`
    case 'scope_twice':
      return 'extra.scope and scopes are both set: set one (scopes is sent as a space-separated scope; extra.scope is sent as written, for providers that want another format)'
    case 'unknown_key':
      return `unknown key ${problem.key} in ${problem.method}${didYouMean(problem.key, problem.known)}: Latchkey ignores it (known: ${problem.known.join(', ')})`
  }
}

function uriRule(reason: UriReason): string {
  switch (reason) {
    case 'not_absolute':
      return 'must be an absolute https:// URL'
    case 'not_https':
      return 'must be an https:// URL (http:// only for a loopback host: localhost, 127.x.x.x, [::1])'
    case 'fragment':
      return 'must not have a fragment (#...)'
    case 'userinfo':
      return 'must not carry credentials (user:password@)'
    case 'query':
      return 'must not have a query (?...)'
  }
}

// How a found value reads in a message: scalars as JSON, containers by kind.
function describe(value: unknown): string {
  if (value === undefined) return 'nothing'
  if (Array.isArray(value)) return 'a list'
  if (isRecord(value)) return 'a mapping'
  return JSON.stringify(value)
}

/** Whether `value` is a formula (an object whose first key starts with `$`), i.e. known only at run time. */
export function isFormula(value: unknown): boolean {
  return isRecord(value) && (Object.keys(value)[0]?.startsWith('$') ?? false)
}

/**
 * Why `value` is not an allowed endpoint URL, or null: absolute, https (http only for a
 * loopback host, which tests use; the runtime also requires ALLOW_INSECURE_LOOPBACK), no
 * fragment, no credentials, and no query when `allowQuery` is false.
 */
export function uriProblem(value: string, allowQuery: boolean): UriReason | null {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return 'not_absolute'
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) return 'not_https'
  if (value.includes('#')) return 'fragment'
  if (url.username !== '' || url.password !== '') return 'userinfo'
  if (!allowQuery && url.search !== '') return 'query'
  return null
}

/** Warnings for keys of `record` (at `path`) that `method` does not read. */
export function unknownKeys(record: Record<string, unknown>, path: YamlPath, method: string, known: readonly string[]): LocatedProblem[] {
  return Object.keys(record)
    .filter((key) => !known.includes(key))
    .map((key) => ({ path: [...path, key], target: 'key', problem: { kind: 'unknown_key', method, key, known } }))
}
