/**
 * One form field as HTML (hono/html escapes every value), for the connect page's Connect
 * cards and the typed-credentials form: a real `<label>`, the description as a hint, required
 * marks, and an error next to the field that assistive technology reads with it
 * (`aria-invalid`, `aria-describedby`). A secret field is `type=password` and never carries a
 * value, whatever the caller passes (S22).
 */
import { html } from 'hono/html'
import type { HtmlFragment } from '../http/html-document.ts'
import { INPUT_FIELD_PREFIX, type InputField } from './input-fields.ts'

/** What a field shows beyond its schema: a value to fill in and an error to explain. */
export interface FieldState {
  /** The value as the form sends it (`true`/`false` for a checkbox); ignored for secrets. */
  value?: string | null
  error?: string | null
}

/**
 * The id of a field's control: `idPrefix` and the property name, when the name is safe in an
 * id reference list (no spaces); else its position, so `for` and `aria-describedby` still match.
 */
export function fieldId(idPrefix: string, field: InputField, index: number): string {
  return `${idPrefix}-${/^[A-Za-z0-9_-]{1,64}$/.test(field.name) ? field.name : `field${index}`}`
}

/** The field at `index` of its form, its control's id made from `idPrefix`. */
export function inputFieldHtml(idPrefix: string, field: InputField, index: number, state: FieldState = {}): HtmlFragment {
  const id = fieldId(idPrefix, field, index)
  const name = INPUT_FIELD_PREFIX + field.name
  const descriptionId = `${id}-description`
  const errorId = `${id}-error`
  const error = state.error ?? null
  const value = field.kind === 'secret' ? null : (state.value ?? null)
  const describedIds = [...(error === null ? [] : [errorId]), ...(field.description === null ? [] : [descriptionId])]
  // Each present attribute with its leading space, so the markup has no gaps where one is absent.
  const attributes = [
    field.required && field.kind !== 'checkbox' ? html` required aria-required="true"` : null,
    error === null ? null : html` aria-invalid="true"`,
    describedIds.length === 0 ? null : html` aria-describedby="${describedIds.join(' ')}"`,
  ].filter((attribute) => attribute !== null)
  const description = field.description === null ? '' : html` <span class="hint" id="${descriptionId}">${field.description}</span>`
  const errorText = error === null ? '' : html` <span class="field-error" id="${errorId}">${error}</span>`
  if (field.kind === 'checkbox') {
    const checked = (value ?? field.defaultValue) === 'true' ? ' checked' : ''
    return html`<p class="field field-checkbox">
      <input type="checkbox" id="${id}" name="${name}"${checked}${attributes} />
      <label for="${id}">${field.label}</label>${errorText}${description}
    </p>`
  }
  return html`<p class="field">
    <label for="${id}">${field.label}${field.required ? '' : ' (optional)'}</label>
    ${control(field, id, name, value, attributes)}${errorText}${description}
  </p>`
}

function control(field: InputField, id: string, name: string, value: string | null, attributes: HtmlFragment[]): HtmlFragment {
  switch (field.kind) {
    case 'select': {
      const chosen = value ?? field.defaultValue
      return html`<select id="${id}" name="${name}"${attributes}>
        ${field.required && chosen !== null ? '' : html`<option value="">${field.required ? '(choose one)' : '(default)'}</option>`}
        ${field.options.map((option) => (option === chosen ? html`<option selected>${option}</option>` : html`<option>${option}</option>`))}
      </select>`
    }
    case 'secret':
      // No value attribute ever: a secret typed once is not sent back into a page (S22).
      return html`<input type="password" id="${id}" name="${name}"${attributes} autocomplete="${field.autocomplete ?? 'off'}" spellcheck="false" autocapitalize="off" />`
    case 'number':
      return html`<input type="number" id="${id}" name="${name}"${attributes} step="any"${valueAttribute(value ?? field.defaultValue)} />`
    default:
      return html`<input type="text" id="${id}" name="${name}"${attributes}${valueAttribute(value ?? field.defaultValue)} />`
  }
}

function valueAttribute(value: string | null): HtmlFragment | '' {
  return value === null ? '' : html` value="${value}"`
}
