/**
 * One "did you mean" rule (src/did-you-mean.ts) for formula typos and spec typos: the formula
 * compiler suggests exactly what the spec compiler's `didYouMean` suggests for the same word.
 */
import { describe, expect, it } from 'vitest'
import { didYouMean } from '../../src/did-you-mean.ts'
import { compileMapping, FORMULA_NAMES } from '../../src/formula/index.ts'

/** The suggestion part of the formula compiler's message for an unknown formula `name`. */
function formulaSuggestion(name: string): string {
  const result = compileMapping({ value: { [name]: 'x' } })
  if (result.ok) throw new Error(`${name} compiled`)
  return /( \(did you mean [^)]+\))/.exec(result.issues[0]?.message ?? '')?.[1] ?? ''
}

describe('did you mean', () => {
  it.each([
    ['a doubled letter', '$concatt', ' (did you mean $concat?)'],
    ['another case', '$FIRSTNOTEMPTY', ' (did you mean $firstNotEmpty?)'],
    ['two swapped neighbours, one typo', '$tlp', ' (did you mean $tpl?)'],
    ['a word too far from every name', '$something', ''],
  ])('suggests the same for a formula name with %s (%s) as for a spec key', (_case, name, expected) => {
    expect(formulaSuggestion(name)).toBe(expected)
    expect(didYouMean(name, FORMULA_NAMES)).toBe(expected)
  })
})
