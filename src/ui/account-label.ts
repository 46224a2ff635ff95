/**
 * Who is connected, as the pages show it: a connection's `accountLabel` (the provider
 * account's e-mail, login or name, src/connection/connection-account.ts). It comes from the
 * provider, so it is shown only when it cannot lie about itself on a page (the display-name
 * rules of S21: no control, zero-width or bidirectional characters), cut to a length a card
 * can hold; hono/html escapes it.
 */
import type { ConnectionSummary } from '../connection/connection-record.ts'
import { displayNameProblem } from '../flow/display-name.ts'

/** Longest label shown, in characters (code points); a longer one is cut and ends with "…". */
export const MAX_SHOWN_LABEL_LENGTH = 80

/** The account label of `summary` as a page may show it, or null (none, or not showable). */
export function accountLabelOf(summary: ConnectionSummary): string | null {
  // Checked as `unknown`: a listing entry the tenant directory stored before labels existed has none.
  const label: unknown = summary.accountLabel
  if (typeof label !== 'string') return null
  const characters = Array.from(label.trim())
  const shown = characters.length > MAX_SHOWN_LABEL_LENGTH ? `${characters.slice(0, MAX_SHOWN_LABEL_LENGTH - 1).join('')}…` : characters.join('')
  return displayNameProblem(shown) === null ? shown : null
}
