/**
 * A lexical view of JavaScript source with comments and string, template and regex
 * literal contents blanked out, so code patterns (`require(`, `module.exports =`) can be
 * searched without matching text inside a comment or a string. Offsets are preserved.
 */

/** `source` with comment and literal contents replaced by spaces (newlines kept). */
export function maskNonCode(source: string): string {
  const out = source.split('')
  // Each entry is the brace depth at which a `${` of a template literal was opened.
  const templateStack: number[] = []
  let braceDepth = 0
  let lastSignificant = ''
  let i = 0
  const blank = (from: number, to: number): void => {
    for (let k = from; k < to; k++) if (out[k] !== '\n') out[k] = ' '
  }
  // Blanks template text from `start` up to the closing backtick or the next `${`.
  const scanTemplate = (start: number): number => {
    let k = start
    while (k < source.length) {
      const c = source[k]
      if (c === '\\') k += 2
      else if (c === '`') break
      else if (c === '$' && source[k + 1] === '{') {
        blank(start, k)
        templateStack.push(braceDepth)
        braceDepth++
        return k + 2
      } else k++
    }
    blank(start, k)
    return k + 1
  }
  while (i < source.length) {
    const c = source[i] as string
    const next = source[i + 1]
    if (c === '/' && next === '/') {
      const end = source.indexOf('\n', i)
      const stop = end === -1 ? source.length : end
      blank(i, stop)
      i = stop
    } else if (c === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2)
      const stop = end === -1 ? source.length : end + 2
      blank(i, stop)
      i = stop
    } else if (c === '"' || c === "'") {
      let k = i + 1
      while (k < source.length && source[k] !== c && source[k] !== '\n') k += source[k] === '\\' ? 2 : 1
      blank(i + 1, k)
      i = k + 1
      lastSignificant = c
    } else if (c === '`' || (c === '}' && templateStack.at(-1) === braceDepth - 1)) {
      if (c === '}') {
        templateStack.pop()
        braceDepth--
      }
      i = scanTemplate(i + 1)
      lastSignificant = '`'
    } else if (c === '/' && startsRegex(lastSignificant)) {
      let k = i + 1
      let inClass = false
      while (k < source.length && source[k] !== '\n' && (inClass || source[k] !== '/')) {
        if (source[k] === '\\') k++
        else if (source[k] === '[') inClass = true
        else if (source[k] === ']') inClass = false
        k++
      }
      blank(i + 1, k)
      i = k + 1
      lastSignificant = '/'
    } else {
      if (c === '{') braceDepth++
      else if (c === '}') braceDepth--
      if (!/\s/.test(c)) lastSignificant = c
      i++
    }
  }
  return out.join('')
}

// A `/` starts a regex literal after an operator or an opening bracket, not after a value.
function startsRegex(lastSignificant: string): boolean {
  return lastSignificant === '' || '(,=:[!&|?{};+-*%<>~^'.includes(lastSignificant)
}

/** Offsets of every `require(` call in code (not in comments or strings). */
export function findRequireCalls(masked: string): number[] {
  return [...masked.matchAll(/(?<![\w$.])require\s*\(/g)].map((match) => match.index)
}

/** Whether code assigns `module.exports = ...` (a whole-module export the CJS lexer does not name). */
export function assignsModuleExports(masked: string): boolean {
  return /(?<![\w$.])module\.exports\s*=(?!=)/.test(masked)
}
