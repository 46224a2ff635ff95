/**
 * The code exchange (RFC 6749 section 4.1.3): the default token request to the token endpoint
 * stored with the transaction (S5, S6, S9, S11), or the connector's own getTokenData.
 */
import { LatchkeyError } from '../errors.ts'
import { isRecord } from '../is-record.ts'
import type { OAuthConfig } from '../oauth/oauth-config.ts'
import { registeredOAuthErrorCode } from '../oauth/oauth-error-code.ts'
import { sendTokenRequest } from '../oauth/send-token-request.ts'
import { processTokenResponse, validateTokenFields, type TokenEndpointFailure, type TokenResponse } from '../oauth/token-response.ts'
import type { ConnectorContext } from '../registry/connector-context.ts'
import { hasMethod, runMethod } from '../registry/registry.ts'
import type { CompiledConnector } from '../registry/types.ts'
import type { PendingAuthorization } from './pending-authorization.ts'

/** Everything the exchange needs; `config.tokenUri` is the one stored with the transaction. */
export interface CodeExchange {
  connector: CompiledConnector
  config: OAuthConfig
  record: PendingAuthorization
  code: string
  /** The callback's connector context (`connectorContext` of the pending authorization's input). */
  context: ConnectorContext
  /** The callback query (getTokenData reads `queryParameters.code`). */
  callbackParameters: Record<string, string>
  /** A token endpoint that does not answer within this time fails the exchange (`settings.tokenRequestTimeoutMs`). */
  timeoutMs: number
  now: number
}

/**
 * Exchanges the code for tokens and validates them (S11). Throws `token_exchange_failed` (the
 * endpoint refused or could not be reached), `invalid_token_response` (S11 violation) or
 * `connector_method_failed` (getTokenData threw).
 */
export async function exchangeCode(exchange: CodeExchange): Promise<TokenResponse> {
  const { connector, record } = exchange
  if (hasMethod(connector, 'getTokenData')) {
    const result = await runMethod(connector, 'getTokenData', {
      ...exchange.context,
      codeVerifier: record.codeVerifier ?? undefined,
      queryParameters: exchange.callbackParameters,
      redirectUri: record.redirectUri,
    })
    if (!isRecord(result)) {
      throw new LatchkeyError('invalid_token_response', `getTokenData of connector "${connector.key}" must return the token response object.`)
    }
    if (typeof result['error'] === 'string') throw failed(connector.key, { kind: 'oauth_error', status: 200, error: registeredOAuthErrorCode(result['error']) })
    const validated = validateTokenFields(result, exchange.now)
    if (!validated.ok) throw failed(connector.key, validated.failure)
    return validated.tokens
  }

  const params: Record<string, string> = {
    grant_type: 'authorization_code',
    code: exchange.code,
    redirect_uri: record.redirectUri,
  }
  if (record.codeVerifier !== null) params['code_verifier'] = record.codeVerifier
  const sent = await sendTokenRequest(exchange.config, params, exchange.timeoutMs)
  if (!sent.ok) {
    throw new LatchkeyError('token_exchange_failed', `The token endpoint of connector "${connector.key}" could not be reached or did not answer in time. Try connecting again.`, {
      cause: sent.cause,
    })
  }
  let result: Awaited<ReturnType<typeof processTokenResponse>>
  try {
    result = await processTokenResponse(sent.response, exchange.now)
  } catch (cause) {
    // Headers came in time but the body did not (a slow or broken stream): the same timeout applies.
    throw new LatchkeyError('token_exchange_failed', `The token endpoint of connector "${connector.key}" did not finish its answer in time. Try connecting again.`, { cause })
  }
  if (!result.ok) throw failed(connector.key, result.failure)
  return result.tokens
}

/** The LatchkeyError for a refused token response; the message carries the registered OAuth error code, never a description. */
function failed(connectorKey: string, failure: TokenEndpointFailure): LatchkeyError {
  switch (failure.kind) {
    case 'oauth_error':
      return new LatchkeyError(
        'token_exchange_failed',
        `The token endpoint of connector "${connectorKey}" refused the code with "${failure.error}" (HTTP ${failure.status}). Check the client credentials and redirect URI registered with the provider, then connect again.`,
        // The registered error code only (never a description), for `isInvalidClient`.
        { cause: { oauthError: failure.error } },
      )
    case 'http_error':
      return new LatchkeyError(
        'token_exchange_failed',
        `The token endpoint of connector "${connectorKey}" answered HTTP ${failure.status} without an OAuth error. Try connecting again later.`,
      )
    case 'invalid_response':
      return new LatchkeyError('invalid_token_response', `The token endpoint of connector "${connectorKey}" answered with an unusable token response: ${failure.reason}.`)
  }
}

/** Whether `error` is a code exchange the token endpoint refused with `invalid_client` (the client is unknown or its authentication failed). */
export function isInvalidClient(error: unknown): boolean {
  if (!(error instanceof LatchkeyError) || error.code !== 'token_exchange_failed') return false
  const cause: unknown = error.cause
  return typeof cause === 'object' && cause !== null && (cause as { oauthError?: unknown }).oauthError === 'invalid_client'
}
