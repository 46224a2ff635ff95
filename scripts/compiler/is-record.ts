/**
 * The shape test every compiler step applies to parsed YAML before reading keys from it.
 */

/** A plain object (not an array or null), as YAML mappings become. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
