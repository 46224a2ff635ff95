/**
 * Names of the formulas a mapping may use (a misspelt one gets a suggestion from
 * src/did-you-mean.ts).
 */

/** Every formula name the engine runs, as written in mapping files. */
export const FORMULA_NAMES = ['$var', '$concat', '$tpl', '$case', '$map', '$eval', '$and', '$or', '$firstNotEmpty', '$mergeObjects', '$iterate', '$plain', '$copy'] as const

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
