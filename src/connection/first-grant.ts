/**
 * The first token of a connection made from typed credentials whose connector refreshes by
 * itself: an OAuth2 client-credentials grant is written as `client-credentials` with a
 * `refreshCredentials` that calls the token endpoint (connector-format.md), so there is no
 * token until that method ran once. It runs here, through the same code as every later
 * refresh, before the connection is tested and stored.
 */
import { LatchkeyError } from '../errors.ts'
import { hasMethod } from '../registry/registry.ts'
import type { Settings } from '../settings.ts'
import type { CheckedConnectionInput } from './authorized-connection.ts'
import { refreshCredentials } from './credential-refresh.ts'
import { connectorOfRecord } from './record-connector.ts'

/**
 * `candidate` with the credentials of its first grant merged in, or as it is when its
 * connector does not refresh by itself or the credentials already carry an access token.
 * Throws `credentials_rejected` when the grant fails: nothing is stored then.
 */
export async function firstGrant(candidate: CheckedConnectionInput, settings: Settings, now: () => number): Promise<CheckedConnectionInput> {
  const connector = connectorOfRecord(candidate)
  const hasToken = typeof candidate.credentials['access_token'] === 'string' && candidate.credentials['access_token'] !== ''
  if (connector.auth.type !== 'client-credentials' || !hasMethod(connector, 'refreshCredentials') || hasToken) return candidate
  const outcome = await refreshCredentials(
    { kind: 'connector_method' },
    {
      connector,
      settings,
      connectionInput: { ...candidate.connectionInput, ...candidate.secretInput },
      credentials: candidate.credentials,
      policy: settings.refreshRetry,
      now,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      random: Math.random,
    },
  )
  if (!outcome.ok) {
    const { failure } = outcome
    const why = failure.kind === 'revoked' ? `the token endpoint answered ${failure.error}` : failure.detail
    throw new LatchkeyError('credentials_rejected', `The first token request of connector "${connector.key}" failed (${why}): nothing was stored.`)
  }
  return { ...candidate, credentials: outcome.credentials }
}
