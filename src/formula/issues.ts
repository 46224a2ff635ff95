/**
 * What `compileMapping` reports: each problem is a tagged value while compiling, and turns
 * into a `MappingIssue` (public reason + message) in one exhaustive switch.
 */
import { formatLocator } from './locator.ts'
import { EVAL_OPERATORS, type PathSegment } from './node.ts'

const EVAL_OPERATOR_LIST = EVAL_OPERATORS.join(', ')

/** A problem in a raw mapping, located by `path` (keys and indexes inside the raw value). */
export interface MappingIssue {
  /** Where in the raw mapping value the problem is, so the build can print file:line:col. */
  path: PathSegment[]
  reason: 'unknown_formula' | 'malformed_locator' | 'invalid_formula_arguments'
  message: string
}

/** A problem found while compiling, before it is worded. */
export type CompileProblem =
  | { kind: 'unknown_formula'; name: string; suggestion: string | undefined }
  | { kind: 'unsupported_formula'; name: string }
  | { kind: 'malformed_locator'; formula: '$var' | '$copy'; locator: string; detail: string }
  | { kind: 'wrong_shape'; formula: string; expected: string }
  | { kind: 'unknown_key'; formula: string; key: string; allowed: readonly string[]; suggestion: string | undefined }
  | { kind: 'missing_key'; formula: string; key: string; expected: string }
  | { kind: 'extra_formula_key'; formula: string; key: string }
  | { kind: 'missing_operator' }
  | { kind: 'unknown_operator'; operator: string; suggestion: string | undefined }
  | { kind: 'copy_cycle'; cycle: PathSegment[][] }
  | { kind: 'not_json'; description: string }

/** Words a problem at `path` as a public issue. */
export function toIssue(path: PathSegment[], problem: CompileProblem): MappingIssue {
  switch (problem.kind) {
    case 'unknown_formula':
      return {
        path,
        reason: 'unknown_formula',
        message: problem.suggestion
          ? `unknown formula ${problem.name} (did you mean ${problem.suggestion}?)`
          : `unknown formula ${problem.name} (a key starting with "$" must be a formula when it comes first; move it after another key to use it as a plain key)`,
      }
    case 'unsupported_formula':
      return { path, reason: 'unknown_formula', message: `formula ${problem.name} is not supported by Latchkey (write a javascript method instead)` }
    case 'malformed_locator':
      return { path, reason: 'malformed_locator', message: `malformed locator "${problem.locator}" in ${problem.formula}: ${problem.detail}` }
    case 'wrong_shape':
      return { path, reason: 'invalid_formula_arguments', message: `${problem.formula} takes ${problem.expected}` }
    case 'unknown_key':
      return {
        path,
        reason: 'invalid_formula_arguments',
        message: problem.suggestion
          ? `unknown key "${problem.key}" in ${problem.formula} (did you mean ${problem.suggestion}?)`
          : `unknown key "${problem.key}" in ${problem.formula} (allowed: ${problem.allowed.join(', ') || 'none'})`,
      }
    case 'missing_key':
      return { path, reason: 'invalid_formula_arguments', message: `${problem.formula} needs "${problem.key}" (it takes ${problem.expected})` }
    case 'extra_formula_key':
      return {
        path,
        reason: 'invalid_formula_arguments',
        message: `unexpected key "${problem.key}" next to ${problem.formula} (a formula object has only its formula key; $eval also has its operator)`,
      }
    case 'missing_operator':
      return { path, reason: 'invalid_formula_arguments', message: `$eval needs an operator as its second key (one of: ${EVAL_OPERATOR_LIST})` }
    case 'unknown_operator':
      return {
        path,
        reason: 'invalid_formula_arguments',
        message: problem.suggestion
          ? `unknown $eval operator "${problem.operator}" (did you mean ${problem.suggestion}?)`
          : `unknown $eval operator "${problem.operator}" (one of: ${EVAL_OPERATOR_LIST})`,
      }
    case 'copy_cycle':
      return {
        path,
        reason: 'invalid_formula_arguments',
        message: `$copy cycle: ${problem.cycle.map(formatLocator).join(' -> ')} (a field cannot copy itself, directly or through other $copy)`,
      }
    case 'not_json':
      return { path, reason: 'invalid_formula_arguments', message: `${problem.description} is not a JSON value (use strings, numbers, booleans, null, arrays and objects)` }
  }
}
