/**
 * Copying fields of objects that came from the network or from connector code. A JSON body can
 * carry an own `__proto__` key; assigning it (`target[name] = value`) would replace the target's
 * prototype and make inherited values appear as fields. These helpers never copy `__proto__`
 * and never assign: they define own data properties.
 */

/** Whether a field name may be copied between credential objects (`__proto__` never is). */
export function isCopyableField(name: string): boolean {
  return name !== '__proto__'
}

/** Sets `name` on `target` as an own enumerable data property, without invoking any setter. */
export function defineField(target: Record<string, unknown>, name: string, value: unknown): void {
  Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true })
}

/** A new plain object with the own enumerable fields of `source`, `__proto__` left out. */
export function copyFields(source: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(source)) if (isCopyableField(name)) defineField(copy, name, value)
  return copy
}
