/**
 * Names of the formulas a mapping may use, and the "did you mean" suggestion for a
 * misspelt one.
 */

/** Every formula name the engine runs, as written in mapping files. */
export const FORMULA_NAMES = [
  '$var',
  '$concat',
  '$tpl',
  '$case',
  '$map',
  '$eval',
  '$and',
  '$or',
  '$firstNotEmpty',
  '$mergeObjects',
  '$iterate',
  '$plain',
  '$copy',
] as const

/** A formula name the engine runs. */
export type FormulaName = (typeof FORMULA_NAMES)[number]

/**
 * Formulas of the Membrane format that Latchkey deliberately does not run (they are not
 * needed for auth; `$jsonata` would need an interpreter library). Named in the message so
 * the author is not told to look for a typo.
 */
export const UNSUPPORTED_FORMULA_NAMES: readonly string[] = ['$jsonata', '$lookup', '$record']

/** Whether `name` is a formula the engine runs. */
export function isFormulaName(name: string): name is FormulaName {
  return (FORMULA_NAMES as readonly string[]).includes(name)
}

/**
 * The candidate closest to `name` by edit distance (case-insensitive), if it is close
 * enough to be a plausible typo: at most 2 edits, and fewer than half of the name.
 */
export function closestName(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined
  let bestDistance = Infinity
  for (const candidate of candidates) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase())
    if (distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }
  return bestDistance <= 2 && bestDistance * 2 < name.length ? best : undefined
}

/** Levenshtein distance (insertions, deletions, substitutions), one row at a time. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1)
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution))
    }
    previous = current
  }
  return previous[b.length] ?? 0
}
