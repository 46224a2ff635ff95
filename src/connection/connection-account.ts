/**
 * Who a connection is connected as: a stable id to recognise the provider account again (so
 * connecting it twice updates one connection, tenant-directory.ts) and a label to show. Read
 * from a validated id_token's claims (S17) or from what the connector's `test` returned, both
 * input from the provider: only strings (numbers for an id) are taken, trimmed, without control
 * or bidirectional-override characters, bounded, and never a value that contains a secret.
 */
import { withoutDeceptiveCharacters } from '../flow/display-name.ts'
import { isRecord } from '../is-record.ts'

/** The account a connection acts for. At least one field is set (no account at all is `null`). */
export interface ConnectionAccount {
  /** Stable per provider account: `${iss} ${sub}` of an id_token, else the test result's `id` (never a login or email: their owner can change them). */
  id: string | null
  /** What to show: an email, a login or a name. */
  label: string | null
}

/** Longest label kept: longer ones are cut (a label is for display only). */
export const MAX_ACCOUNT_LABEL_LENGTH = 200

/**
 * Longest account id kept. A longer one is dropped, not cut: two accounts sharing a cut prefix
 * would be taken for one, and the second would overwrite the first one's credentials.
 */
export const MAX_ACCOUNT_ID_LENGTH = 256

/** Shortest value treated as a secret when checking labels: shorter credential fields are flags and types ("Bearer"), not tokens. */
const MIN_SECRET_LENGTH = 8

/**
 * The account of a validated id_token (OpenID Connect Core 2): the id is `iss` and `sub`
 * joined by a space, so subjects of two issuers never collide; the label is `email`, else
 * `preferred_username`, else `name`. Pass only claims `validateIdToken` returned (S17).
 */
export function accountFromIdToken(claims: Record<string, unknown>): ConnectionAccount | null {
  const issuer = typeof claims['iss'] === 'string' ? claims['iss'] : null
  const subject = typeof claims['sub'] === 'string' ? claims['sub'] : null
  const id = issuer === null || subject === null || issuer === '' || subject === '' ? null : accountIdFrom(`${issuer} ${subject}`)
  const label = accountLabelFrom(claims['email']) ?? accountLabelFrom(claims['preferred_username']) ?? accountLabelFrom(claims['name'])
  return accountOf(id, label)
}

/**
 * The account a connector's test result names, when the result is an object (a JavaScript
 * test returning the API's user, a rest-api-mapping without responseMapping returning the
 * response body): id from `id` only (a string or finite number): logins and emails can be
 * changed by the account's owner at many providers, so one person could make their account
 * look like another's and have their tokens merged into that connection; label from `email`,
 * else `login`, else `name`, else `username`, else `id`. A value containing one
 * of `secrets` is passed over (the next field is used), so a test returning `{ login: <the
 * API key> }` never puts the key on a page. Anything else is `null`.
 */
export function accountFromTestResult(result: unknown, secrets: readonly string[] = []): ConnectionAccount | null {
  if (!isRecord(result)) return null
  const isSecret = containsSecret(secrets)
  const first = (names: readonly string[], read: (value: unknown) => string | null): string | null => {
    for (const name of names) {
      const value = read(result[name])
      if (value !== null && !isSecret(value)) return value
    }
    return null
  }
  // A numeric `id` labels as its digits; other label fields must be strings.
  const label = first(['email', 'login', 'name', 'username'], accountLabelFrom) ?? first(['id'], (value) => accountLabelFrom(accountIdFrom(value)))
  return accountOf(first(['id'], accountIdFrom), label)
}

/**
 * `account` (one that arrived with the credentials: an id_token's) without any field that
 * contains one of `secrets` (credential values, typed secrets): whatever a provider put in a
 * claim, no token reaches a page. `null` when nothing is left.
 */
export function withoutSecrets(account: ConnectionAccount | null, secrets: readonly string[]): ConnectionAccount | null {
  if (account === null) return null
  const isSecret = containsSecret(secrets)
  const clean = (value: string | null): string | null => (value !== null && isSecret(value) ? null : value)
  return accountOf(clean(account.id), clean(account.label))
}

/**
 * An account that crossed RPC (connection-object.ts): checked and bounded again like one read
 * from the provider. Anything that is not an object of optional strings is `null`.
 */
export function checkedAccount(value: unknown): ConnectionAccount | null {
  if (!isRecord(value)) return null
  const id = typeof value['id'] === 'string' ? accountIdFrom(value['id']) : null
  return accountOf(id, accountLabelFrom(value['label']))
}

/**
 * The account after a test of a stored connection that found `tested`: an account without an
 * id takes the tested one; the same id takes its newer label; another id (an id_token's
 * account, which the test result cannot name the same way) stays as it is.
 */
export function mergeTestedAccount(current: ConnectionAccount | null, tested: ConnectionAccount | null): ConnectionAccount | null {
  if (tested === null) return current
  if (current !== null && current.id !== null && current.id !== tested.id) return current
  return { id: tested.id ?? current?.id ?? null, label: tested.label ?? current?.label ?? null }
}

/** `value` as an account id: a non-empty string (or finite number) within `MAX_ACCOUNT_ID_LENGTH`, else `null`. */
export function accountIdFrom(value: unknown): string | null {
  const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : typeof value === 'string' ? visibleText(value) : ''
  if (text === '' || text.length > MAX_ACCOUNT_ID_LENGTH) return null
  return text
}

/** `value` as a label: a non-empty string, cut to `MAX_ACCOUNT_LABEL_LENGTH` characters (whole code points), else `null`. */
export function accountLabelFrom(value: unknown): string | null {
  if (typeof value !== 'string') return null
  const text = visibleText(value)
  if (text === '') return null
  const points = Array.from(text)
  return points.length <= MAX_ACCOUNT_LABEL_LENGTH ? text : points.slice(0, MAX_ACCOUNT_LABEL_LENGTH).join('').trimEnd()
}

/** Whether a value contains one of `secrets` long enough to be one. */
function containsSecret(secrets: readonly string[]): (value: string) => boolean {
  const long = secrets.filter((secret) => secret.length >= MIN_SECRET_LENGTH)
  return (value) => long.some((secret) => value.includes(secret))
}

function accountOf(id: string | null, label: string | null): ConnectionAccount | null {
  return id === null && label === null ? null : { id, label }
}

function visibleText(value: string): string {
  // The characters pages refuse to show (they could disguise a label) are removed at the source.
  return withoutDeceptiveCharacters(value).trim()
}
