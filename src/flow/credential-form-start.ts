/**
 * The start of a client-credentials connect flow: from a verified connect token (a reconnect
 * target already checked by the caller, GET /connect/:connectorKey) to the credential form.
 * The token's `jti` is remembered in the record and claimed with the flow id by the form's
 * first accepted post (S15, flow-claim.ts). Nothing typed travels in the URL: the browser is sent to the form
 * with a flow id bound to it by a cookie (S2), and the form posts the values (S22).
 */
import { newConnectionId } from '../connection-id.ts'
import { LatchkeyError } from '../errors.ts'
import { randomToken } from '../random-token.ts'
import { connectorWithAuthOption } from '../registry/auth-option.ts'
import type { CompiledConnector } from '../registry/types.ts'
import type { Settings } from '../settings.ts'
import { inputFieldsOf } from '../ui/input-fields.ts'
import type { Background } from './background.ts'
import { newBrowserBinding } from './browser-binding.ts'
import type { ConnectRequest } from './connect-token.ts'
import { bindingSubject, CREDENTIAL_FORM_TTL_MS, saveCredentialForm, type PendingCredentialForm } from './credential-form-record.ts'
import { fixedInputOf } from './credential-form-validation.ts'
import { oneTimeTokenOf } from './one-time-token.ts'

/** Path of the credential form: GET shows it (`?flow=<id>`), POST submits it. */
export const CREDENTIAL_FORM_PATH = '/connect/credentials'

/** What a credential-form start needs besides the connector. */
export interface CredentialFormStart {
  request: ConnectRequest
  /** The connect token's input: public values only, fixed on the form. */
  connectionInput: Record<string, unknown>
  authOption: string | null
  /** Takes the pending record's copy in its guard shard (pending-store.ts). */
  background: Background
}

/**
 * Stores the pending form under a new flow id, binds the browser to it, and says where to send
 * the browser (a 303). Throws `invalid_connection_input` when the token's input carries a
 * secret or a value the form cannot hold, `invalid_request` when the connector (option) is not
 * a client-credentials one or its input cannot be asked for by a form.
 */
export async function startCredentialForm(
  env: Env,
  _settings: Settings,
  connector: CompiledConnector,
  start: CredentialFormStart,
  now: number,
): Promise<{ location: string; setCookie: string }> {
  const { request } = start
  const auth = connectorWithAuthOption(connector, start.authOption).auth
  if (auth.type !== 'client-credentials') {
    throw new LatchkeyError('invalid_request', `Connector "${connector.key}" connects by ${auth.type}, not with a credentials form.`)
  }
  const form = inputFieldsOf(auth.inputSchema)
  if (!form.ok) {
    throw new LatchkeyError(
      'invalid_request',
      `Connector "${connector.key}" asks for ${form.unsupported.slice(0, 3).join(', ')}, which a form cannot ask for (an object or a list): the application must create this connection over RPC.`,
    )
  }
  const fixedInput = fixedInputOf(connector.key, auth.inputSchema, form.fields, start.connectionInput)

  const flowId = randomToken()
  const binding = await newBrowserBinding(bindingSubject(flowId), CREDENTIAL_FORM_TTL_MS / 1000)
  const record: PendingCredentialForm = {
    version: 1,
    kind: 'credential-form',
    connectorKey: connector.key,
    authOption: start.authOption,
    tenant: request.tenant,
    displayName: request.displayName,
    fixedInput,
    returnUrl: request.returnUrl,
    mode: request.mode,
    connectionId: request.connectionId ?? newConnectionId(),
    reconnect: request.connectionId !== null,
    connectToken: oneTimeTokenOf(request),
    browserBindingHash: binding.hash,
    createdAt: now,
    expiresAt: now + CREDENTIAL_FORM_TTL_MS,
  }
  await saveCredentialForm(env, flowId, record, now, start.background)
  return {
    // The flow id may be in the URL: it is useless in another browser (the cookie) and spent on success.
    location: `${CREDENTIAL_FORM_PATH}?flow=${flowId}`,
    setCookie: binding.setCookie,
  }
}
