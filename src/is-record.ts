/**
 * The shape test applied to parsed input (JSON bodies, YAML specs, method results, stored
 * records) before reading keys from it: the one definition for the Worker and the compiler.
 */

/** A plain object (not an array or null), as JSON and YAML objects become. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
