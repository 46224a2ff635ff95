/**
 * Run-time half of the formula engine: walks a compiled `MappingNode` against a scope (the
 * method's arguments: `connectorParameters`, `credentials`, ...). Pure: it never mutates the
 * scope, never parses, and never throws on odd data.
 *
 * Decisions where the format docs are silent:
 * - Keys whose value is `undefined` are dropped; an object or array that ends up empty is
 *   `undefined` (also at the top level, and for `$iterate` and `$mergeObjects` results).
 *   `null` is a value and is kept.
 * - `$concat`: a list of values (a single value counts as a list of one); null, undefined
 *   and '' are dropped, the rest written as text (objects as JSON); nothing left gives ''.
 * - `$tpl`: `{key}` (trimmed) is replaced by `values[key]` as text; a missing, null or
 *   undefined value gives ''; a null or undefined template gives `undefined`.
 * - `$case` filters and `$and`/`$or` use JavaScript truthiness; `$and`/`$or` evaluate every
 *   argument and ignore null/undefined ones.
 * - `$iterate`: a source that is not an array gives `undefined`. The item scope is the outer
 *   scope plus `item`, `index` and `parent` (the outer scope, so `parent.item` reaches the
 *   enclosing iteration). Falsy results (also 0, '' and false) are dropped.
 * - `$copy` reads the root result: it evaluates the node its locator reaches in the root
 *   mapping (in the root scope, even from inside `$iterate`), so it sees the other fields'
 *   final values whatever the order. A cycle the build could not rule out gives `undefined`.
 * - `$plain` gives a fresh copy of its value (without `__proto__` keys), never the stored
 *   tree itself, so a caller changing a result cannot change the registry.
 */
import { findCopyTarget } from './copy-target.ts'
import type { CopyNode, MappingNode } from './node.ts'
import { applyOperator } from './operators.ts'
import { cloneJson, isPlainRecord, readPath, setOwn, toText } from './values.ts'

/** What every node of one evaluation shares: the root, for `$copy`. */
interface Evaluation {
  root: MappingNode
  rootScope: Record<string, unknown>
  copiesInProgress: Set<CopyNode>
}

type Scope = Record<string, unknown>

/**
 * Evaluates a compiled mapping (from `compileMapping`, as stored in registry.json) with the
 * given variables. Returns the mapping's value; `undefined` when it ends up empty.
 */
export function evaluateMapping(node: MappingNode, scope: Scope): unknown {
  return evaluate(node, scope, { root: node, rootScope: scope, copiesInProgress: new Set() })
}

function evaluate(node: MappingNode, scope: Scope, run: Evaluation): unknown {
  if (node === null || typeof node !== 'object') return node
  switch (node.op) {
    case 'plain':
      return cloneJson(node.value)
    case 'object': {
      const result: Record<string, unknown> = {}
      for (const [key, child] of node.entries) {
        const value = evaluate(child, scope, run)
        if (value !== undefined) setOwn(result, key, value)
      }
      return nonEmptyObject(result)
    }
    case 'array':
      return nonEmptyArray(node.items.map((item) => evaluate(item, scope, run)).filter((value) => value !== undefined))
    case 'var':
      return readPath(scope, node.path)
    case 'copy':
      return evaluateCopy(node, run)
    case 'concat': {
      const values = evaluate(node.values, scope, run)
      const delimiter = node.delimiter === undefined ? undefined : evaluate(node.delimiter, scope, run)
      const list = Array.isArray(values) ? values : [values]
      return list
        .filter((value) => value !== null && value !== undefined && value !== '')
        .map(toText)
        .join(delimiter === null || delimiter === undefined ? '' : toText(delimiter))
    }
    case 'tpl': {
      const template = evaluate(node.template, scope, run)
      if (template === null || template === undefined) return undefined
      const values = node.values === undefined ? undefined : evaluate(node.values, scope, run)
      return toText(template).replace(/\{([^{}]+)\}/g, (_placeholder, key: string) => {
        const value = readPath(values, [key.trim()])
        return value === null || value === undefined ? '' : toText(value)
      })
    }
    case 'case': {
      const match = node.cases.find((c) => c.filter === undefined || Boolean(evaluate(c.filter, scope, run)))
      const chosen = match ? match.value : node.default
      return chosen === undefined ? undefined : evaluate(chosen, scope, run)
    }
    case 'map': {
      const value = evaluate(node.value, scope, run)
      const row = node.rows.find((r) => evaluate(r.from, scope, run) === value)
      const chosen = row ? row.to : node.default
      return chosen === undefined ? undefined : evaluate(chosen, scope, run)
    }
    case 'eval': {
      const operand = node.operand === undefined ? undefined : evaluate(node.operand, scope, run)
      return applyOperator(node.operator, evaluate(node.value, scope, run), operand)
    }
    case 'and':
    case 'or': {
      const known = node.args.map((arg) => evaluate(arg, scope, run)).filter((value) => value !== null && value !== undefined)
      if (known.length === 0) return undefined
      return node.op === 'and' ? known.every(Boolean) : known.some(Boolean)
    }
    case 'firstNotEmpty': {
      for (const arg of node.args) {
        const value = evaluate(arg, scope, run)
        if (value !== null && value !== undefined) return value
      }
      return undefined
    }
    case 'mergeObjects': {
      const result: Record<string, unknown> = {}
      for (const arg of node.args) {
        const value = evaluate(arg, scope, run)
        if (!isPlainRecord(value)) continue
        for (const [key, item] of Object.entries(value)) {
          if (item !== undefined) setOwn(result, key, item)
        }
      }
      return nonEmptyObject(result)
    }
    case 'iterate': {
      const source = evaluate(node.source, scope, run)
      if (!Array.isArray(source)) return undefined
      const results = source.map((item: unknown, index) => evaluate(node.item, { ...scope, item, index, parent: scope }, run))
      return nonEmptyArray(results.filter(Boolean))
    }
  }
}

function evaluateCopy(node: CopyNode, run: Evaluation): unknown {
  if (run.copiesInProgress.has(node)) return undefined
  const target = findCopyTarget(run.root, node.path)
  if (!target) return undefined
  run.copiesInProgress.add(node)
  const value = readPath(evaluate(target.node, run.rootScope, run), target.rest)
  run.copiesInProgress.delete(node)
  return value
}

function nonEmptyObject(result: Record<string, unknown>): Record<string, unknown> | undefined {
  return Object.keys(result).length > 0 ? result : undefined
}

function nonEmptyArray(result: unknown[]): unknown[] | undefined {
  return result.length > 0 ? result : undefined
}
