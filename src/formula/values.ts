/**
 * Small operations on the untyped values mappings read and build. None of them throws on
 * odd data, none mutates its input, and none reads or writes through a prototype.
 */
import type { PathSegment } from './node.ts'

/** A plain object (literal or null-prototype): not an array, date, map or class instance. */
export function isPlainRecord(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false
  const prototype: unknown = Object.getPrototypeOf(value)
  return prototype === Object.prototype || prototype === null
}

/**
 * The value at `path` inside `value`, or `undefined` when any step is missing. Only own
 * properties of objects and arrays are read, so `constructor` or `__proto__` never reach
 * a prototype; an array's own `length` is readable. Primitives have no properties here.
 */
export function readPath(value: unknown, path: readonly PathSegment[]): unknown {
  let current = value
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined
    const key = String(segment)
    if (!Object.hasOwn(current, key)) return undefined
    current = (current as Record<string, unknown>)[key]
  }
  return current
}

/** Sets an own property, skipping `__proto__` (which would replace the prototype instead). */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key !== '__proto__') target[key] = value
}

/**
 * A value as text for `$concat` and `$tpl`: strings as they are, numbers and booleans with
 * `String`, objects and arrays as JSON, anything JSON cannot hold as ''.
 */
export function toText(value: unknown): string {
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value)
  if (value === null || typeof value !== 'object') return ''
  try {
    return JSON.stringify(value) ?? ''
  } catch {
    return '' // circular or holding a bigint: no sensible text
  }
}

/** Empty for `isEmpty`: null, undefined, '', an empty array, an object without own keys. */
export function isEmptyValue(value: unknown): boolean {
  if (value === null || value === undefined || value === '') return true
  return typeof value === 'object' && Object.keys(value).length === 0
}

/** A deep copy of a JSON value, so callers never hold (and mutate) the compiled registry. */
export function cloneJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(cloneJson)
  if (value === null || typeof value !== 'object') return value
  const copy: Record<string, unknown> = {}
  for (const [key, item] of Object.entries(value)) setOwn(copy, key, cloneJson(item))
  return copy
}
