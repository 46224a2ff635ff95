/**
 * Build-time half of the formula engine: validates a raw mapping (parsed YAML) and turns it
 * into a `MappingNode`, collecting every problem with its location.
 *
 * Decisions where the format docs are silent:
 * - An object whose first key starts with `$` is a formula; a `$` key in any other position
 *   is an ordinary key. A formula object has no other key, except `$eval` and its operator.
 * - Argument objects accept only their documented keys (a typo like `delimeter` is an
 *   issue, not silently ignored). Required: `$concat.values`, `$tpl.template`,
 *   `$case.cases`, `$map.value`/`mapping`, each `mapping` row's `from`,
 *   `$iterate.source`/`item`. `$case`/`$map` tables, and the arguments of `$and`, `$or`,
 *   `$firstNotEmpty` and `$mergeObjects`, must be written as arrays; `$concat.values`,
 *   `$tpl.values` and `$iterate.source` may be any value or formula.
 * - The operand of `isEmpty`/`isNotEmpty` is ignored (write `isEmpty: true`).
 * - A key named `__proto__` is dropped: no result object may carry one, because a later
 *   `Object.assign` of that object would replace a prototype.
 * - Only JSON values compile (no NaN/Infinity, dates or other class instances).
 */
import { findCopyCycles, type CopySite } from './copy-cycles.ts'
import { toIssue, type CompileProblem, type MappingIssue } from './issues.ts'
import { parseLocator } from './locator.ts'
import { closestMatch } from '../did-you-mean.ts'
import { FORMULA_NAMES, isFormulaName, UNSUPPORTED_FORMULA_NAMES, type FormulaName } from './names.ts'
import { EVAL_OPERATORS, type CaseNode, type EvalOperator, type JsonValue, type MapRowNode, type MappingNode, type PathSegment } from './node.ts'
import { isPlainRecord } from './values.ts'

/** Result of `compileMapping`: the compiled tree, or every issue found. */
export type CompileResult = { ok: true; node: MappingNode } | { ok: false; issues: MappingIssue[] }

interface CompileContext {
  issues: MappingIssue[]
  copies: CopySite[]
}

type RawRecord = Record<string, unknown>

type FormulaCompiler = (argument: unknown, path: PathSegment[], context: CompileContext, formula: RawRecord) => MappingNode

/**
 * Compiles a raw mapping (the value parsed from a `.map.yml` file or an inline `mapping:`)
 * for `evaluateMapping`. Returns all issues, each located by its path inside `raw`.
 */
export function compileMapping(raw: unknown): CompileResult {
  const context: CompileContext = { issues: [], copies: [] }
  const node = compileValue(raw, [], context)
  for (const cycle of findCopyCycles(node, context.copies)) report(context, cycle.path, { kind: 'copy_cycle', cycle: cycle.targets })
  return context.issues.length > 0 ? { ok: false, issues: context.issues } : { ok: true, node }
}

function compileValue(raw: unknown, path: PathSegment[], context: CompileContext): MappingNode {
  if (raw === null || typeof raw === 'string' || typeof raw === 'boolean') return raw
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : notJson(raw, path, context)
  if (Array.isArray(raw)) return { op: 'array', items: raw.map((item, i) => compileValue(item, [...path, i], context)) }
  if (!isPlainRecord(raw)) return notJson(raw, path, context)
  const keys = Object.keys(raw)
  const first = keys[0]
  if (first?.startsWith('$')) return compileFormula(first, raw, path, context)
  const entries: Array<[string, MappingNode]> = []
  for (const key of keys) {
    if (key !== '__proto__') entries.push([key, compileValue(raw[key], [...path, key], context)])
  }
  return { op: 'object', entries }
}

function compileFormula(name: string, raw: RawRecord, path: PathSegment[], context: CompileContext): MappingNode {
  if (!isFormulaName(name)) {
    const problem: CompileProblem = UNSUPPORTED_FORMULA_NAMES.includes(name)
      ? { kind: 'unsupported_formula', name }
      : { kind: 'unknown_formula', name, suggestion: closestMatch(name, FORMULA_NAMES) }
    report(context, [...path, name], problem)
    return null
  }
  if (name !== '$eval') {
    for (const key of Object.keys(raw).slice(1)) report(context, [...path, key], { kind: 'extra_formula_key', formula: name, key })
  }
  return FORMULA_COMPILERS[name](raw[name], [...path, name], context, raw)
}

const FORMULA_COMPILERS: Record<FormulaName, FormulaCompiler> = {
  $var: (argument, path, context) => {
    const locator = compileLocator('$var', argument, path, context)
    return locator ? { op: 'var', path: locator } : null
  },
  $copy: (argument, path, context) => {
    const locator = compileLocator('$copy', argument, path, context)
    if (!locator) return null
    const node = { op: 'copy' as const, path: locator }
    context.copies.push({ node, path })
    return node
  },
  $plain: (argument, path, context) => {
    checkJson(argument, path, context)
    const value = argument as JsonValue
    return value === null || typeof value !== 'object' ? value : { op: 'plain', value }
  },
  $concat: (argument, path, context) => {
    if (Array.isArray(argument)) return { op: 'concat', values: compileValue(argument, path, context) }
    const args = argumentObject('$concat', argument, path, context, { required: ['values'], optional: ['delimiter'] }, 'an array of values, or {values, delimiter}')
    if (!args) return null
    const node: MappingNode = { op: 'concat', values: requiredField(args, 'values', path, context) }
    if (Object.hasOwn(args, 'delimiter')) node.delimiter = compileValue(args.delimiter, [...path, 'delimiter'], context)
    return node
  },
  $tpl: (argument, path, context) => {
    const args = argumentObject('$tpl', argument, path, context, { required: ['template'], optional: ['values'] }, '{template, values} (template like "Bearer {token}")')
    if (!args) return null
    const node: MappingNode = { op: 'tpl', template: requiredField(args, 'template', path, context) }
    if (Object.hasOwn(args, 'values')) node.values = compileValue(args.values, [...path, 'values'], context)
    return node
  },
  $case: (argument, path, context) => {
    const expected = 'an array of cases {filter, value}, or {cases, default}'
    if (Array.isArray(argument)) return { op: 'case', cases: compileCases(argument, path, context) }
    const args = argumentObject('$case', argument, path, context, { required: ['cases'], optional: ['default'] }, expected)
    if (!args) return null
    const cases = args.cases
    if (!Array.isArray(cases)) {
      report(context, [...path, 'cases'], { kind: 'wrong_shape', formula: '$case', expected })
      return null
    }
    const node: MappingNode = { op: 'case', cases: compileCases(cases, [...path, 'cases'], context) }
    if (Object.hasOwn(args, 'default')) node.default = compileValue(args.default, [...path, 'default'], context)
    return node
  },
  $map: (argument, path, context) => {
    const expected = '{value, mapping: [{from, to}], default}'
    const args = argumentObject('$map', argument, path, context, { required: ['value', 'mapping'], optional: ['default'] }, expected)
    if (!args) return null
    const mapping = args.mapping
    if (!Array.isArray(mapping)) {
      if (Object.hasOwn(args, 'mapping')) report(context, [...path, 'mapping'], { kind: 'wrong_shape', formula: '$map', expected })
      return null
    }
    const rows: MapRowNode[] = []
    mapping.forEach((rawRow, i) => {
      const rowPath = [...path, 'mapping', i]
      const row = argumentObject('$map', rawRow, rowPath, context, { required: ['from'], optional: ['to'] }, `${expected}; each mapping row is {from, to}`)
      if (!row) return
      const compiled: MapRowNode = { from: requiredField(row, 'from', rowPath, context) }
      if (Object.hasOwn(row, 'to')) compiled.to = compileValue(row.to, [...rowPath, 'to'], context)
      rows.push(compiled)
    })
    const node: MappingNode = { op: 'map', value: requiredField(args, 'value', path, context), rows }
    if (Object.hasOwn(args, 'default')) node.default = compileValue(args.default, [...path, 'default'], context)
    return node
  },
  $eval: (argument, path, context, formula) => {
    const formulaPath = path.slice(0, -1)
    const [, operator, ...extra] = Object.keys(formula)
    for (const key of extra) report(context, [...formulaPath, key], { kind: 'extra_formula_key', formula: '$eval', key })
    const value = compileValue(argument, path, context)
    if (operator === undefined) {
      report(context, path, { kind: 'missing_operator' })
      return null
    }
    if (!isEvalOperator(operator)) {
      report(context, [...formulaPath, operator], { kind: 'unknown_operator', operator, suggestion: closestMatch(operator, EVAL_OPERATORS) })
      return null
    }
    if (operator === 'isEmpty' || operator === 'isNotEmpty') return { op: 'eval', value, operator }
    return { op: 'eval', value, operator, operand: compileValue(formula[operator], [...formulaPath, operator], context) }
  },
  $and: (argument, path, context) => ({ op: 'and', args: argumentList('$and', argument, path, context) }),
  $or: (argument, path, context) => ({ op: 'or', args: argumentList('$or', argument, path, context) }),
  $firstNotEmpty: (argument, path, context) => ({ op: 'firstNotEmpty', args: argumentList('$firstNotEmpty', argument, path, context) }),
  $mergeObjects: (argument, path, context) => ({ op: 'mergeObjects', args: argumentList('$mergeObjects', argument, path, context) }),
  $iterate: (argument, path, context) => {
    const args = argumentObject('$iterate', argument, path, context, { required: ['source', 'item'], optional: [] }, '{source, item} (item sees item, index and parent)')
    if (!args) return null
    return {
      op: 'iterate',
      source: requiredField(args, 'source', path, context),
      item: requiredField(args, 'item', path, context),
    }
  },
}

function isEvalOperator(name: string): name is EvalOperator {
  return (EVAL_OPERATORS as readonly string[]).includes(name)
}

function compileLocator(formula: '$var' | '$copy', argument: unknown, path: PathSegment[], context: CompileContext): PathSegment[] | undefined {
  if (typeof argument !== 'string') {
    report(context, path, { kind: 'wrong_shape', formula, expected: 'a locator string such as $.credentials.access_token' })
    return undefined
  }
  const parsed = parseLocator(argument)
  if (parsed.ok) return parsed.path
  report(context, path, { kind: 'malformed_locator', formula, locator: argument, detail: parsed.message })
  return undefined
}

function compileCases(cases: unknown[], path: PathSegment[], context: CompileContext): CaseNode[] {
  const compiled: CaseNode[] = []
  cases.forEach((rawCase, i) => {
    const casePath = [...path, i]
    const args = argumentObject(
      '$case',
      rawCase,
      casePath,
      context,
      { required: [], optional: ['filter', 'value'] },
      'cases of the shape {filter, value} (no filter: always matches)',
    )
    if (!args) return
    const node: CaseNode = {}
    if (Object.hasOwn(args, 'filter')) node.filter = compileValue(args.filter, [...casePath, 'filter'], context)
    if (Object.hasOwn(args, 'value')) node.value = compileValue(args.value, [...casePath, 'value'], context)
    compiled.push(node)
  })
  return compiled
}

function argumentList(formula: FormulaName, argument: unknown, path: PathSegment[], context: CompileContext): MappingNode[] {
  if (Array.isArray(argument)) return argument.map((item, i) => compileValue(item, [...path, i], context))
  report(context, path, { kind: 'wrong_shape', formula, expected: 'an array of values' })
  return []
}

/** The argument as an object with the allowed keys, reporting unknown and missing ones. */
function argumentObject(
  formula: FormulaName,
  argument: unknown,
  path: PathSegment[],
  context: CompileContext,
  keys: { required: readonly string[]; optional: readonly string[] },
  expected: string,
): RawRecord | undefined {
  if (!isPlainRecord(argument)) {
    report(context, path, { kind: 'wrong_shape', formula, expected })
    return undefined
  }
  const allowed = [...keys.required, ...keys.optional]
  for (const key of Object.keys(argument)) {
    if (!allowed.includes(key)) report(context, [...path, key], { kind: 'unknown_key', formula, key, allowed, suggestion: closestMatch(key, allowed) })
  }
  for (const key of keys.required) {
    if (!Object.hasOwn(argument, key)) report(context, path, { kind: 'missing_key', formula, key, expected })
  }
  return argument
}

/** A required argument, compiled; `null` stands in when it is missing (already reported). */
function requiredField(args: RawRecord, key: string, path: PathSegment[], context: CompileContext): MappingNode {
  return Object.hasOwn(args, key) ? compileValue(args[key], [...path, key], context) : null
}

function checkJson(raw: unknown, path: PathSegment[], context: CompileContext): void {
  if (raw === null || typeof raw === 'string' || typeof raw === 'boolean') return
  if (typeof raw === 'number') {
    if (!Number.isFinite(raw)) notJson(raw, path, context)
  } else if (Array.isArray(raw)) {
    for (const [i, item] of raw.entries()) checkJson(item, [...path, i], context)
  } else if (isPlainRecord(raw)) {
    for (const key of Object.keys(raw)) checkJson(raw[key], [...path, key], context)
  } else {
    notJson(raw, path, context)
  }
}

function notJson(raw: unknown, path: PathSegment[], context: CompileContext): null {
  const description =
    typeof raw === 'number' ? `the number ${raw}` : typeof raw === 'object' && raw !== null ? `an instance of ${raw.constructor?.name ?? 'a class'}` : `a ${typeof raw}`
  report(context, path, { kind: 'not_json', description })
  return null
}

function report(context: CompileContext, path: PathSegment[], problem: CompileProblem): void {
  context.issues.push(toIssue(path, problem))
}
