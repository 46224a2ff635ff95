/**
 * Locators: the paths `$var` and `$copy` take, e.g. `$.credentials.items[0].id`.
 *
 * Decisions where the format docs are silent:
 * - `$` alone is the whole scope; the `$.` prefix is optional (`a.b` = `$.a.b`), and `$[0]`
 *   starts with an index. A `$` not followed by `.`, `[` or the end is part of a key
 *   (`$foo` is the key "$foo").
 * - `\.`, `\[`, `\]` and `\\` put that character into a key; a backslash before anything
 *   else, an unescaped `]`, an empty key (`a..b`, `.a`, `a.`, `a.[0]`), an index that is not
 *   a non-negative integer (`a[x]`, `a[-1]`), an unclosed `[`, or a key glued to `]`
 *   (`a[0]b`) are malformed.
 * - Whitespace is part of keys: `a. b` reads the key " b".
 */
import type { PathSegment } from './node.ts'

/** Result of `parseLocator`: the path, or why the text is not a locator. */
export type LocatorResult = { ok: true; path: PathSegment[] } | { ok: false; message: string }

const ESCAPABLE = new Set(['.', '[', ']', '\\'])

/**
 * Splits a locator into keys and array indexes (`a.b[0]` -> `['a', 'b', 0]`).
 * Used by the build for `$var`/`$copy`; on failure `message` says what is wrong and where.
 */
export function parseLocator(text: string): LocatorResult {
  if (text === '$') return { ok: true, path: [] }
  const offset = text.startsWith('$.') ? 2 : text.startsWith('$[') ? 1 : 0
  if (text.length === offset) return fail(text === '' ? 'the locator is empty' : 'nothing after "$."')

  const path: PathSegment[] = []
  // 'start' and 'dot' expect a key ('start' also an index); 'key' is inside a key;
  // 'index' has just closed a `]`.
  let state: 'start' | 'dot' | 'key' | 'index' = 'start'
  let key = ''
  for (let i = offset; i < text.length; i++) {
    const char = text.charAt(i)
    if (char === '.') {
      if (state === 'start' || state === 'dot') return fail(`empty key before "." at position ${i}`)
      if (state === 'key') path.push(key)
      key = ''
      state = 'dot'
    } else if (char === '[') {
      if (state === 'dot') return fail(`empty key before "[" at position ${i}`)
      if (state === 'key') path.push(key)
      key = ''
      const close = text.indexOf(']', i)
      if (close === -1) return fail(`"[" at position ${i} is never closed`)
      const digits = text.slice(i + 1, close)
      const index = Number(digits)
      if (!/^\d+$/.test(digits) || !Number.isSafeInteger(index)) {
        return fail(`"[${digits}]" at position ${i} is not an array index (write a number, or escape the bracket as \\[)`)
      }
      path.push(index)
      i = close
      state = 'index'
    } else if (char === ']') {
      return fail(`unexpected "]" at position ${i} (escape it as \\])`)
    } else {
      if (state === 'index') return fail(`expected "." or "[" after "]" at position ${i}`)
      if (char === '\\') {
        const escaped = text.charAt(i + 1)
        if (!ESCAPABLE.has(escaped)) return fail(`"\\" at position ${i} must be followed by ".", "[", "]" or "\\"`)
        key += escaped
        i++
      } else {
        key += char
      }
      state = 'key'
    }
  }
  if (state === 'dot') return fail('the locator ends with "."')
  if (state === 'key') path.push(key)
  return { ok: true, path }
}

/** Writes a path as a locator, escaping `.`, `[`, `]` and `\` in keys (for messages). */
export function formatLocator(path: readonly PathSegment[]): string {
  if (path.length === 0) return '$'
  return path
    .map((segment, i) => {
      if (typeof segment === 'number') return `[${segment}]`
      const escaped = segment.replace(/[.[\]\\]/g, (char) => `\\${char}`)
      return i === 0 ? escaped : `.${escaped}`
    })
    .join('')
}

function fail(message: string): LocatorResult {
  return { ok: false, message }
}
