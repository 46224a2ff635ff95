/**
 * Form fields from a connector's inputSchema, for every form that asks a person for
 * connection input: the connect page's Connect cards (src/ui/connect-page-html.ts) and the
 * typed-credentials form of client-credentials connectors (src/flow/credential-form-page.ts).
 * Pure: the schema comes from the compiled registry; what a browser posts back is read by
 * `inputFromForm` and validated against the same schema by the caller.
 */
import { isSecretProperty } from '../flow/typed-input.ts'
import { isRecord } from '../is-record.ts'
import type { JsonSchema } from '../registry/types.ts'

/** How a field is asked for. `secret`: masked, never prefilled, never echoed (S22). */
export type InputFieldKind = 'text' | 'secret' | 'number' | 'checkbox' | 'select'

/** One form field for a connection input property. */
export interface InputField {
  name: string
  /** The property's `title`, else its name. */
  label: string
  /** The property's `description`, shown as a hint. */
  description: string | null
  kind: InputFieldKind
  /** Values of a `select`, as the form sends them. */
  options: string[]
  /** Whether the `select` values stand for numbers (an enum of numbers). */
  numericOptions: boolean
  required: boolean
  /** What a password manager may do with a secret field (`autocomplete`); null for other kinds. */
  autocomplete: 'new-password' | 'off' | null
  /** The schema's `default` as a form value (never for secrets), or null. */
  defaultValue: string | null
}

/** The fields of a schema, or why a form cannot ask for its input. */
export type InputFieldsResult = { ok: true; fields: InputField[] } | { ok: false; unsupported: string[] }

/** Prefix of input field names in forms, so they never clash with `csrf`, `connector` or `flow`. */
export const INPUT_FIELD_PREFIX = 'input.'

/**
 * Password-like names get `autocomplete="new-password"`: browsers ignore `off` on password
 * fields, and `new-password` keeps them from filling in a password saved for Latchkey's own
 * origin. API keys and tokens get `off`: nothing to offer, nothing to save.
 */
const PASSWORD_NAME = /password|passwd|passphrase/i

/**
 * The fields for the properties of `schema`, in schema order. A property a form cannot express
 * (an object, an array, a union of types) makes the result `ok: false` when it is required;
 * an optional one is left out (the input is valid without it).
 */
export function inputFieldsOf(schema: JsonSchema | undefined): InputFieldsResult {
  if (schema === undefined) return { ok: true, fields: [] }
  const properties = isRecord(schema['properties']) ? schema['properties'] : {}
  const required = new Set(Array.isArray(schema['required']) ? schema['required'].filter((name) => typeof name === 'string') : [])
  const fields: InputField[] = []
  const unsupported: string[] = []
  for (const [name, property] of Object.entries(properties)) {
    const field = isRecord(property) ? fieldOf(name, property, required.has(name)) : null
    if (field !== null) fields.push(field)
    else if (required.has(name)) unsupported.push(name)
  }
  // A required property the schema does not describe cannot be asked for either.
  for (const name of required) if (!Object.hasOwn(properties, name)) unsupported.push(name)
  return unsupported.length === 0 ? { ok: true, fields } : { ok: false, unsupported }
}

/**
 * The input a submitted form describes: each field read from `form[INPUT_FIELD_PREFIX + name]`.
 * An empty text or number is left out (so `required` names it), a checkbox is true when sent,
 * a number that does not parse stays a string (so `type` names it). Only the fields' names are
 * read: anything else the form carries is ignored.
 */
export function inputFromForm(fields: readonly InputField[], form: Readonly<Record<string, string>>): Record<string, unknown> {
  const input: Record<string, unknown> = {}
  for (const field of fields) {
    const key = INPUT_FIELD_PREFIX + field.name
    const value = Object.hasOwn(form, key) ? form[key] : undefined
    if (field.kind === 'checkbox') input[field.name] = value !== undefined
    else if (value === undefined || value === '') continue
    else if (field.kind === 'number' || (field.kind === 'select' && field.numericOptions)) input[field.name] = asNumber(value)
    else input[field.name] = value
  }
  return input
}

/** A value of the input as a form shows it (booleans as `true`/`false`); null for what a field cannot show. */
export function formValueOf(value: unknown): string | null {
  if (typeof value === 'string') return value
  if (typeof value === 'number' && Number.isFinite(value)) return String(value)
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  return null
}

function asNumber(value: string): number | string {
  const trimmed = value.trim()
  const number = Number(trimmed)
  return trimmed !== '' && Number.isFinite(number) ? number : value
}

function fieldOf(name: string, property: Record<string, unknown>, required: boolean): InputField | null {
  const secret = isSecretProperty(name, property)
  const base: InputField = {
    name,
    label: typeof property['title'] === 'string' && property['title'] !== '' ? property['title'] : name,
    description: typeof property['description'] === 'string' && property['description'] !== '' ? property['description'] : null,
    kind: 'text',
    options: [],
    numericOptions: false,
    required,
    autocomplete: null,
    defaultValue: secret ? null : formValueOf(property['default']),
  }
  const type = property['type']
  const options = property['enum']
  if (Array.isArray(options) && options.length > 0) {
    if (options.every((option) => typeof option === 'string')) return { ...base, kind: 'select', options }
    if ((type === 'number' || type === 'integer') && options.every((option) => typeof option === 'number' && Number.isFinite(option))) {
      return { ...base, kind: 'select', options: options.map(String), numericOptions: true }
    }
    return null
  }
  switch (type) {
    case 'string':
      return secret ? { ...base, kind: 'secret', autocomplete: PASSWORD_NAME.test(name) ? 'new-password' : 'off' } : base
    case 'number':
    case 'integer':
      return { ...base, kind: 'number' }
    case 'boolean':
      // An unchecked box sends nothing: a required boolean is always answered (false).
      return { ...base, kind: 'checkbox', required: false }
    default:
      return null
  }
}
