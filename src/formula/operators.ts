/**
 * The operators of `$eval`. Decisions where the format docs are silent:
 * - `is`/`isNot`, `oneOf`/`noneOf` and array `contains` compare with strict equality
 *   (like `$map`): `'1'` is not `1`, and objects only equal themselves.
 * - `oneOf`/`noneOf` take a list; a single operand counts as a one-item list, null or
 *   undefined as an empty one.
 * - `contains`: a string contains a substring (a number operand is written as text); an
 *   array contains an item; anything else contains nothing.
 * - `lt`/`lte`/`gt`/`gte` compare two numbers, or two strings (so ISO dates order
 *   correctly); any other pair is false, never coerced.
 * - `isEmpty`: null, undefined, '', [] and {} are empty; 0 and false are not.
 */
import type { EvalOperator } from './node.ts'
import { isEmptyValue } from './values.ts'

/** Applies an `$eval` operator to the evaluated value and operand. */
export function applyOperator(operator: EvalOperator, value: unknown, operand: unknown): boolean {
  switch (operator) {
    case 'is':
      return value === operand
    case 'isNot':
      return value !== operand
    case 'oneOf':
      return asList(operand).some((item) => item === value)
    case 'noneOf':
      return !asList(operand).some((item) => item === value)
    case 'contains':
      return contains(value, operand)
    case 'doesNotContain':
      return !contains(value, operand)
    case 'lt':
      return compare(value, operand, (order) => order < 0)
    case 'lte':
      return compare(value, operand, (order) => order <= 0)
    case 'gt':
      return compare(value, operand, (order) => order > 0)
    case 'gte':
      return compare(value, operand, (order) => order >= 0)
    case 'isEmpty':
      return isEmptyValue(value)
    case 'isNotEmpty':
      return !isEmptyValue(value)
  }
}

function asList(operand: unknown): unknown[] {
  if (Array.isArray(operand)) return operand
  return operand === null || operand === undefined ? [] : [operand]
}

function contains(value: unknown, operand: unknown): boolean {
  if (Array.isArray(value)) return value.some((item) => item === operand)
  if (typeof value !== 'string') return false
  if (typeof operand === 'string') return value.includes(operand)
  return typeof operand === 'number' && value.includes(String(operand))
}

function compare(value: unknown, operand: unknown, accept: (order: number) => boolean): boolean {
  if (typeof value === 'number' && typeof operand === 'number') return accept(value - operand)
  if (typeof value === 'string' && typeof operand === 'string') return accept(value < operand ? -1 : value > operand ? 1 : 0)
  return false
}
