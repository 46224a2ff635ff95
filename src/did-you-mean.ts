/**
 * "Did you mean ...?" suggestions, one rule for every typo Latchkey reports: spec keys, auth
 * types and export names (the compiler) and formula names, formula keys and `$eval` operators
 * (the formula engine). Case is ignored, and swapping two neighbouring letters counts as one
 * typo.
 */

/** The candidate closest to `word` when it is plausibly a typo of it, else `undefined`. */
export function closestMatch(word: string, candidates: readonly string[]): string | undefined {
  const lower = word.toLowerCase()
  let best: string | undefined
  let bestDistance = Math.max(1, Math.floor(word.length / 3)) + 1
  for (const candidate of candidates) {
    const distance = typoDistance(lower, candidate.toLowerCase())
    if (distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }
  return best
}

/** ` (did you mean x?)` or nothing: ready to append to a message. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const match = closestMatch(word, candidates)
  return match === undefined ? '' : ` (did you mean ${match}?)`
}

// Edit distance where swapping two neighbouring letters (`nmae`) counts as one typo.
function typoDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)))
  const at = (i: number, j: number): number => rows[i]?.[j] ?? 0
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let distance = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) distance = Math.min(distance, at(i - 2, j - 2) + 1)
      ;(rows[i] as number[])[j] = distance
    }
  }
  return at(a.length, b.length)
}
