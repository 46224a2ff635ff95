/**
 * Connector health: whether each compiled connector's parameters (Worker variables and
 * secrets, connector-parameters.ts) let it run, and every problem that keeps it from running.
 * A connector that is not ready is left off the connect page (src/ui/connector-choices.ts);
 * this says why, to the log once per isolate, to operators over RPC (`listConnectors`), and on
 * a local demo's page. Nothing here quotes a variable's value: it may be a secret (S13).
 */
import { authOptionKeys } from './auth-option.ts'
import { connectorParameterProblems, type ConnectorProblem } from './connector-parameters.ts'
import { listConnectors } from './registry.ts'
import type { AuthType, CompiledConnector } from './types.ts'
import { readSettings, type Settings } from '../settings.ts'

export type { ConnectorProblem } from './connector-parameters.ts'

/** A connector as operators see it: what it is, whether it can run, and what to set when it cannot. */
export interface ConnectorHealth {
  key: string
  name: string
  logoUri: string | null
  /** One per way to connect: the auth type of each auth option in spec order, or the connector's one. */
  authTypes: AuthType[]
  /** No problems: connections can start. */
  ready: boolean
  /** Every problem, in parameter order; empty when ready. */
  problems: ConnectorProblem[]
}

/** The health of `connector` under the variables in `settings`. */
export function connectorHealth(connector: CompiledConnector, settings: Settings): ConnectorHealth {
  const problems = connectorParameterProblems(connector, settings)
  return { key: connector.key, name: connector.name, logoUri: connector.logoUri ?? null, authTypes: authTypesOf(connector), ready: problems.length === 0, problems }
}

/** The health of every compiled connector, sorted by key. */
export function connectorsHealth(settings: Settings): ConnectorHealth[] {
  return listConnectors().map((connector) => connectorHealth(connector, settings))
}

/**
 * The log line of an unready connector, naming each variable to set and what is wrong with it:
 * `latchkey: connector github unavailable: set GITHUB__CLIENT_SECRET (missing)`.
 */
export function unavailableLine(health: ConnectorHealth): string {
  const fixes = health.problems.map((problem) => (problem.code === 'missing' ? `${problem.variable} (missing)` : `${problem.variable} (invalid: ${problem.message})`))
  return `latchkey: connector ${health.key} unavailable: set ${fixes.join(', ')}`
}

/**
 * A reporter that, on its first call, warns once per unready connector (`unavailableLine`)
 * and on later calls does nothing. Nothing is logged when every connector is ready.
 */
export function connectorHealthReporter(): (env: Env) => void {
  let reported = false
  return (env) => {
    if (reported) return
    reported = true
    for (const health of connectorsHealth(readSettings(env))) if (!health.ready) console.warn(unavailableLine(health))
  }
}

/**
 * This isolate's reporter. Called by the first HTTP request (src/index.ts) and the first RPC
 * call (LatchkeyService): a Worker has no startup hook that sees `env`, and variables and
 * secrets do not change within an isolate, so checking once per isolate reports every
 * deployment, and `npm start`'s first request, without slowing later requests.
 */
export const reportConnectorHealthOnce: (env: Env) => void = connectorHealthReporter()

function authTypesOf(connector: CompiledConnector): AuthType[] {
  const options = connector.auth.options
  if (options === undefined) return [connector.auth.type]
  return authOptionKeys(connector).flatMap((key) => (options[key] === undefined ? [] : [options[key].type]))
}
