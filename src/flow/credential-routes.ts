/**
 * The credential form of client-credentials connectors (Hono):
 *   GET  /connect/credentials?flow=<id>   the form (the flow's binding cookie required)
 *   POST /connect/credentials             form: flow, csrf, input.*: on valid input the connection
 *                                         is tested and stored, then the flow ends as an OAuth
 *                                         callback does (303 to the return URL or the result
 *                                         route); on invalid or refused input, the form again (400)
 * The flow starts at GET /connect/:connectorKey (routes.ts, startCredentialForm). Mount with
 * `app.route('/', credentialFormRoutes)` after the security-headers middleware and BEFORE
 * flowRoutes: `/connect/:connectorKey` would otherwise take `/connect/credentials`.
 *
 * S22: typed values travel only in this POST body (urlencoded, size-capped, each field once),
 * which must carry the flow's CSRF token and not be cross-site; they are never put into a URL,
 * a page (secret fields are never refilled), a log line or the pending record. S2: the flow is
 * bound to the browser that started it, expires after 10 minutes, and each flow id is spent by
 * the first valid post, before the credentials are sent anywhere; when the provider refuses
 * them, the form continues under a new flow id until the original expiry. S15: that first
 * valid post also claims the one-time connect URL the form was started from, with the flow id
 * in one guard call; a form from the same URL in another browser is then refused.
 */
import { Hono, type Context } from 'hono'
import { isLatchkeyError, LatchkeyError } from '../errors.ts'
import type { HttpEnv } from '../http/http-env.ts'
import { connectorWithAuthOption } from '../registry/auth-option.ts'
import type { CompiledAuth } from '../registry/types.ts'
import { readSettings, type Settings } from '../settings.ts'
import { formValueOf, inputFieldsOf, inputFromForm, type InputField } from '../ui/input-fields.ts'
import { readPageForm } from '../ui/page-form.ts'
import { assertSameOriginPost, csrfTokenFor, existingSession } from '../ui/page-session.ts'
import { backgroundOf } from './background.ts'
import { clearBindingCookie } from './browser-binding.ts'
import type { CallbackOutcome } from './complete-authorization.ts'
import { connectWithTypedInput } from './connection-handoff.ts'
import { credentialFormPage } from './credential-form-page.ts'
import {
  acceptCredentialForm,
  bindingSubject,
  claimSubject,
  deleteCredentialForm,
  flowOriginOf,
  rekeyCredentialForm,
  type PendingCredentialForm,
} from './credential-form-record.ts'
import { CREDENTIAL_FORM_PATH } from './credential-form-start.ts'
import { typedInputProblems, type FormProblems } from './credential-form-validation.ts'
import { endFlow } from './flow-ending.ts'
import { claimFlowCompletion } from './flow-claim.ts'
import { parseUniqueQuery, rawQuery } from './query-string.ts'
import { signingKey } from './signing-keys.ts'
import { connectorFor } from './start-authorization.ts'

type FormContext = Context<HttpEnv>

/** The credential form's routes. */
export const credentialFormRoutes = new Hono<HttpEnv>()

/** Errors after which the person can correct the form: it is shown again, the flow stays usable. */
const CORRECTABLE = new Set(['credentials_rejected', 'invalid_connection_input'])

credentialFormRoutes.get(CREDENTIAL_FORM_PATH, async (c) => {
  const now = Date.now()
  const flowId = parseUniqueQuery(rawQuery(c.req.url))['flow'] ?? ''
  const record = await acceptCredentialForm(c.env, flowId, c.req.header('Cookie') ?? null, now)
  return showForm(c, flowId, record, {}, null, 200)
})

credentialFormRoutes.post(CREDENTIAL_FORM_PATH, async (c) => {
  const now = Date.now()
  const settings = readSettings(c.env)
  const body = await readPageForm(c.req.raw)
  const id = body['flow'] ?? ''
  // The browser's own account of the request and the CSRF token first: nothing is looked up for a forged post.
  await assertSameOriginPost({
    key: await signingKey(settings.connectTokenSecret, 'csrf'),
    sessionToken: claimSubject(id),
    submittedCsrf: body['csrf'],
    origin: c.req.header('Origin') ?? null,
    fetchSite: c.req.header('Sec-Fetch-Site') ?? null,
    pageOrigin: settings.publicOrigin,
  })
  const record = await acceptCredentialForm(c.env, id, c.req.header('Cookie') ?? null, now)

  const form = formOf(record)
  const editable = form.fields.filter((field) => !Object.hasOwn(record.fixedInput, field.name))
  // The fixed values come from the record, whatever the browser sent: the application set them.
  const typedInput = { ...inputFromForm(editable, body), ...record.fixedInput }
  const refill = publicValues(editable, body)
  const problems = typedInputProblems(form.auth.inputSchema, form.fields, typedInput)
  if (problems !== null) return showForm(c, id, record, refill, problems, 400)

  // S2, S15: the flow id (and the connect URL's jti) is spent before anything leaves Latchkey; a
  // refusal the person can correct continues under a new id (rekeyCredentialForm), so a replayed
  // post never reaches the provider.
  await spend(c.env, id, record)
  const background = backgroundOf(c)
  let outcome: CallbackOutcome
  try {
    const summary = await connectWithTypedInput(c.env, {
      connectionId: record.connectionId,
      connectorKey: record.connectorKey,
      authOption: record.authOption,
      tenant: record.tenant,
      typedInput,
    })
    outcome = { ok: true, record: flowOriginOf(record, true), summary }
  } catch (error) {
    if (isLatchkeyError(error) && CORRECTABLE.has(error.code)) {
      const next = await rekeyCredentialForm(c.env, id, record, now, background)
      for (const cookie of next.setCookies) c.header('Set-Cookie', cookie, { append: true })
      return showForm(c, next.flowId, next.record, refill, refusal(error, record), 400)
    }
    outcome = { ok: false, record: flowOriginOf(record, false), error: isLatchkeyError(error) ? error : unexpected(error), providerError: null }
  }
  await deleteCredentialForm(c.env, id, background)
  c.header('Set-Cookie', clearBindingCookie(bindingSubject(id)), { append: true })
  return endFlow(c, outcome)
})

/** The connector as the flow's auth option sees it, and the form's fields. */
function formOf(record: PendingCredentialForm): { name: string; optionTitle: string | null; auth: CompiledAuth; fields: InputField[] } {
  const connector = connectorWithAuthOption(connectorFor(record.connectorKey), record.authOption)
  const fields = inputFieldsOf(connector.auth.inputSchema)
  // The registry changed under a pending flow (a deploy): the form cannot be shown any more.
  if (!fields.ok) throw new LatchkeyError('invalid_request', `Connector "${connector.key}" asks for input a form cannot ask for. Start the connection again.`)
  const optionTitle = record.authOption === null ? null : (connector.auth.title ?? record.authOption)
  return { name: connector.name, optionTitle, auth: connector.auth, fields: fields.fields }
}

async function showForm(
  c: FormContext,
  flowId: string,
  record: PendingCredentialForm,
  values: Record<string, string>,
  problems: FormProblems | null,
  status: 200 | 400,
): Promise<Response> {
  const settings = readSettings(c.env)
  const form = formOf(record)
  const page = await existingSession(c.req.header('Cookie') ?? null, await signingKey(settings.connectTokenSecret, 'connect-token'), Date.now())
  const owner = { tenant: record.tenant, displayName: record.displayName }
  const signedInAs = page === null || page.session.tenant === record.tenant ? null : { tenant: page.session.tenant, displayName: page.session.displayName }
  c.set('pagePolicy', { formAction: formAction(settings, record), frameAncestors: "'none'" })
  return c.html(
    credentialFormPage({
      nonce: c.get('cspNonce'),
      actionPath: CREDENTIAL_FORM_PATH,
      flowId,
      csrfToken: await csrfTokenFor(await signingKey(settings.connectTokenSecret, 'csrf'), claimSubject(flowId)),
      connectorName: form.name,
      optionTitle: form.optionTitle,
      owner,
      brand: settings.brand,
      signedInAs,
      reconnect: record.reconnect,
      fields: form.fields.filter((field) => !Object.hasOwn(record.fixedInput, field.name)),
      fixed: form.fields.flatMap((field) => (Object.hasOwn(record.fixedInput, field.name) ? [{ label: field.label, value: shownValue(record.fixedInput[field.name]) }] : [])),
      values,
      problems,
    }),
    status,
  )
}

/** The non-secret values a refused post carried, to fill them in again (S22: never a secret). */
function publicValues(fields: readonly InputField[], body: Record<string, string>): Record<string, string> {
  const values: Record<string, string> = {}
  for (const field of fields) {
    if (field.kind === 'secret') continue
    const value = formValueOf(inputFromForm([field], body)[field.name])
    if (value !== null) values[field.name] = value
  }
  return values
}

function shownValue(value: unknown): string {
  if (typeof value === 'boolean') return value ? 'Yes' : 'No'
  return formValueOf(value) ?? ''
}

/** What the form says when the connection refused typed values: the provider's refusal, or values it did not take. */
function refusal(error: LatchkeyError, record: PendingCredentialForm): FormProblems {
  const name = formOf(record).name
  if (error.code === 'credentials_rejected') {
    return { fields: {}, form: `${name} refused these credentials. Check them (for example, copy the key again) and try again.` }
  }
  return { fields: {}, form: `${name} cannot use these values. Check them and try again.` }
}

/**
 * Where the form may post and be redirected to (CSP `form-action`, which Chromium applies to
 * the redirect after a post too): this origin, and the return URL's origin in redirect mode.
 */
function formAction(settings: Settings, record: PendingCredentialForm): string {
  if (record.mode !== 'redirect' || record.returnUrl === null) return "'self'"
  let origin = 'null'
  try {
    origin = new URL(record.returnUrl).origin
  } catch {
    // Checked at start; an unparseable one adds nothing to the policy.
  }
  return /^https?:\/\/[A-Za-z0-9.:[\]-]+$/.test(origin) && origin !== settings.publicOrigin ? `'self' ${origin}` : "'self'"
}

/**
 * Claims the flow id once (S2), with the connect URL's jti when the form still holds one (S15):
 * a second post of the same form (a replay, a double submit) gets `state_reused`, a form from
 * the same one-time URL whose twin connected first gets `invalid_connect_token`.
 */
async function spend(env: Env, flowId: string, record: PendingCredentialForm): Promise<void> {
  await claimFlowCompletion(
    env,
    { value: claimSubject(flowId), notAfter: record.expiresAt, token: record.connectToken },
    () => new LatchkeyError('state_reused', 'This form was already submitted. Start the connection again to reconnect.'),
  )
}

/** An unexpected error after the form was accepted: logged without its message (it may quote a secret). */
function unexpected(error: unknown): LatchkeyError {
  console.error('latchkey: unexpected error while connecting with typed credentials', error instanceof Error ? error.name : typeof error)
  return new LatchkeyError('internal_error', 'Latchkey failed unexpectedly while completing the connection. Try again; see the Worker logs.', { cause: error })
}
