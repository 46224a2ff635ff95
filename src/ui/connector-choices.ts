/**
 * What the connect page offers: the connectors this deployment has configured (their
 * parameters are set, so a connection can start), each with its ways to connect. A connector
 * has one way, or one per auth option (`auth.options`, src/registry/auth-option.ts):
 *
 *   oauth2, oauth1       the card asks for the connection input its inputSchema needs (it goes
 *                        into the connect URL's signed token), then the provider is opened
 *   client-credentials   the card has only a button: the flow's own form (src/flow/credential-form-*)
 *                        asks for the input, secrets included, so nothing typed travels in a URL (S22)
 */
import { authOptionKeys } from '../registry/auth-option.ts'
import { connectorsHealth, type ConnectorHealth } from '../registry/connector-health.ts'
import { connectorParameterProblems } from '../registry/connector-parameters.ts'
import { listConnectors } from '../registry/registry.ts'
import type { AuthType, CompiledAuth, CompiledConnector } from '../registry/types.ts'
import type { Settings } from '../settings.ts'
import { inputFieldsOf, type InputField } from './input-fields.ts'

/** One way to start a connector from the page. */
export interface ConnectWay {
  /** The auth option's key, or null for a connector with one way to connect. */
  authOption: string | null
  /** The option's title (its key when it has none); null without options. */
  title: string | null
  type: AuthType
  /**
   * Fields the card asks for; empty for client-credentials (its form asks). null: the input
   * cannot be asked for by a form (objects, arrays, or a secret an URL must not carry), so the
   * application must start it.
   */
  fields: InputField[] | null
}

/** A connector the page can start. */
export interface ConnectorChoice {
  key: string
  name: string
  /** The spec's `logoUri`, or null. */
  logoUri: string | null
  /** At least one. */
  ways: ConnectWay[]
}

/**
 * Configured connectors, sorted by key. Unconfigured ones are left out: they could not start
 * (`unavailableConnectors` lists them, with what to set).
 */
export function connectorChoices(settings: Settings): ConnectorChoice[] {
  return listConnectors()
    .filter((connector) => connectorParameterProblems(connector, settings).length === 0)
    .map((connector) => ({ key: connector.key, name: connector.name, logoUri: connector.logoUri ?? null, ways: connectWaysOf(connector) }))
}

/**
 * The connectors left off the page because their parameters are missing or invalid, sorted
 * by key, each with every variable to set. For operators only: show them on a local demo's
 * page, never to the end users of a deployment.
 */
export function unavailableConnectors(settings: Settings): ConnectorHealth[] {
  return connectorsHealth(settings).filter((health) => !health.ready)
}

/** The ways to connect `connector`: one per auth option in spec order, or its one auth. */
export function connectWaysOf(connector: CompiledConnector): ConnectWay[] {
  const options = connector.auth.options
  if (options === undefined) return [wayOf(null, null, connector.auth)]
  return authOptionKeys(connector).map((key) => {
    const option = options[key] as CompiledAuth
    return wayOf(key, option.title !== undefined && option.title !== '' ? option.title : key, option)
  })
}

/** The way a form posted (`auth_option`, absent for a connector with one way), or undefined. */
export function chosenWay(choice: ConnectorChoice, authOption: string | undefined): ConnectWay | undefined {
  return choice.ways.find((way) => way.authOption === (authOption ?? null))
}

function wayOf(authOption: string | null, title: string | null, auth: CompiledAuth): ConnectWay {
  const result = inputFieldsOf(auth.inputSchema)
  if (!result.ok) return { authOption, title, type: auth.type, fields: null }
  if (auth.type === 'client-credentials') return { authOption, title, type: auth.type, fields: [] }
  // S22: this input travels in the connect URL, so the card never asks for a secret. A required
  // one leaves the application to start the connector; an optional one is left out.
  const secretRequired = result.fields.some((field) => field.kind === 'secret' && field.required)
  return { authOption, title, type: auth.type, fields: secretRequired ? null : result.fields.filter((field) => field.kind !== 'secret') }
}
