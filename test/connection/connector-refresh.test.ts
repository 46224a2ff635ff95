/**
 * The connector decides how refresh works: its own refreshCredentials (merged into the
 * credentials), getCredentialsFromRefreshTokenResponse, or no refresh at all (noRefreshToken).
 */
import { describe, expect, it } from 'vitest'
import { connectionObject, credentialsFrom, storeConnection, storedCredentials } from '../support/connections.ts'
import { errorCodeOf } from '../support/error-code.ts'

const EXPIRED = Date.now() - 60_000

describe('refreshCredentials of the connector', () => {
  it('runs the connector method and merges its result into the stored credentials, recomputing expires_at', async () => {
    const connection = await storeConnection({
      label: 'custom-refresh',
      connectorKey: 'conn-custom-refresh',
      expiresAt: EXPIRED,
      extraCredentials: { accountId: 'acct-1' },
    })
    const before = Date.now()

    const token = await connectionObject(connection.connectionId).getAccessToken(connection.tenant)

    const [request] = await connection.scenario.requestsTo('/token')
    expect(new URLSearchParams(request?.body).get('refresh_token')).toBe(connection.tokens.refresh_token)
    const stored = await storedCredentials(connection.connectionId)
    expect(stored).toMatchObject({ access_token: token.accessToken, accountId: 'acct-1', refreshedBy: 'connector' })
    expect(stored['refresh_token']).not.toBe(connection.tokens.refresh_token)
    expect(stored['expires_at']).toBeGreaterThanOrEqual(before + 3_600_000)
    expect(token.expiresAt).toBe(stored['expires_at'])
  })

  it('answers refresh_failed when the connector method throws, keeping the credentials', async () => {
    const connection = await storeConnection({ label: 'custom-refresh-throws', connectorKey: 'conn-custom-refresh', expiresAt: EXPIRED })
    const stub = connectionObject(connection.connectionId)
    // The method throws on any non-2xx; the upstream answers an unknown refresh token with 400.
    await stub.storeAuthorizedConnection({
      connectionId: connection.connectionId,
      connectorKey: 'conn-custom-refresh',
      tenant: connection.tenant,
      connectionInput: { scenario: connection.scenario.id },
      credentials: { access_token: 'at_old', refresh_token: 'rt_unknown', expires_at: EXPIRED },
    })

    expect(await errorCodeOf(() => stub.getAccessToken(connection.tenant))).toBe('refresh_failed')
    expect(await storedCredentials(connection.connectionId)).toMatchObject({ access_token: 'at_old', refresh_token: 'rt_unknown' })
  })
})

describe('S12 S11 what a connector refreshCredentials returns is checked like a token response', () => {
  /** A conn-custom-refresh connection whose method returns the token endpoint's JSON body as it came. */
  function storeBodyReturningConnection(label: string) {
    return storeConnection({ label, connectorKey: 'conn-custom-refresh', expiresAt: EXPIRED, connectionInput: { returnResponseBody: true } })
  }

  it.each([
    { error: 'invalid_grant', code: 'needs_reauth', status: 'needs_reauth' },
    { error: 'invalid_client', code: 'needs_reauth', status: 'needs_reauth' },
    { error: 'temporarily_unavailable', code: 'upstream_unavailable', status: 'connected' },
    { error: 'invalid_scope', code: 'refresh_failed', status: 'error' },
    { error: 'rt_planted-by-the-provider', code: 'refresh_failed', status: 'error' },
  ])('S12 a result carrying error=$error is classified as the refresh grant would be: $code', async ({ error, code, status }) => {
    const connection = await storeBodyReturningConnection(`custom-refresh-${error}`)
    const stub = connectionObject(connection.connectionId)
    await connection.scenario.script('/token', [{ status: 400, body: { error, error_description: `about ${connection.tokens.refresh_token}` } }])

    expect(await errorCodeOf(() => stub.getAccessToken(connection.tenant))).toBe(code)

    const summary = await stub.getSummary(connection.tenant)
    expect(summary).toMatchObject({ status, lastError: { code } })
    expect(JSON.stringify(summary)).not.toContain(connection.tokens.refresh_token)
    expect(JSON.stringify(summary)).not.toContain('planted')
    expect(await storedCredentials(connection.connectionId)).toEqual(credentialsFrom(connection.tokens, EXPIRED))
    expect(await connection.scenario.requestsTo('/token')).toHaveLength(1)
  })

  it('S12 invalid_grant returned by the connector stops automatic attempts', async () => {
    const connection = await storeBodyReturningConnection('custom-refresh-revoked')
    const stub = connectionObject(connection.connectionId)
    await connection.scenario.revokeGrants()

    for (let call = 0; call < 3; call++) expect(await errorCodeOf(() => stub.getAccessToken(connection.tenant))).toBe('needs_reauth')
    expect(await connection.scenario.requestsTo('/token')).toHaveLength(1)
  })

  it.each([
    { label: 'no access_token', body: { token_type: 'Bearer', expires_in: 3600 } },
    { label: 'an empty access_token', body: { access_token: '', expires_in: 3600 } },
    { label: 'a token_type that is not a string', body: { access_token: 'at_mac', token_type: 42, expires_in: 3600 } },
    { label: 'an expires_in that is not a number', body: { access_token: 'at_soon', expires_in: 'soon' } },
  ])('S11 a result with $label is refused: the old token is not handed out under a new expiry', async ({ body }) => {
    const connection = await storeBodyReturningConnection('custom-refresh-invalid')
    const stub = connectionObject(connection.connectionId)
    await connection.scenario.script('/token', [{ status: 200, body }])

    expect(await errorCodeOf(() => stub.getAccessToken(connection.tenant))).toBe('refresh_failed')
    expect(await storedCredentials(connection.connectionId)).toEqual(credentialsFrom(connection.tokens, EXPIRED))
    expect(await stub.getSummary(connection.tenant)).toMatchObject({ status: 'error', lastError: { code: 'refresh_failed' }, expiresAt: EXPIRED })
  })

  it('null fields in the result keep the stored values, as the merge promises', async () => {
    const connection = await storeBodyReturningConnection('custom-refresh-nulls')
    await connection.scenario.script('/token', [{ status: 200, body: { access_token: 'at_new', token_type: null, refresh_token: null, expires_in: 60 } }])
    const token = await connectionObject(connection.connectionId).getAccessToken(connection.tenant)
    expect(token.accessToken).toBe('at_new')
    expect(await storedCredentials(connection.connectionId)).toMatchObject({ access_token: 'at_new', token_type: 'Bearer', refresh_token: connection.tokens.refresh_token })
  })

  it('a valid token response returned as it came is merged like the default refresh', async () => {
    const connection = await storeBodyReturningConnection('custom-refresh-body')
    const token = await connectionObject(connection.connectionId).getAccessToken(connection.tenant)
    const stored = await storedCredentials(connection.connectionId)
    expect(stored).toMatchObject({ access_token: token.accessToken, token_type: 'Bearer' })
    expect(stored['refresh_token']).not.toBe(connection.tokens.refresh_token)
    expect(token.expiresAt).toBe(stored['expires_at'])
  })
})

describe('getCredentialsFromRefreshTokenResponse', () => {
  it('extracts the credentials from the refresh response and merges them', async () => {
    const connection = await storeConnection({
      label: 'refresh-mapping',
      connectorKey: 'conn-refresh-mapped',
      expiresAt: EXPIRED,
      upstreamConfig: { tokenFields: { region: 'eu-1' } },
      extraCredentials: { accountId: 'acct-2' },
    })
    const before = Date.now()

    await connectionObject(connection.connectionId).getAccessToken(connection.tenant)

    const stored = await storedCredentials(connection.connectionId)
    expect(stored).toMatchObject({ region: 'eu-1', accountId: 'acct-2' })
    expect(stored['expires_at']).toBeGreaterThanOrEqual(before + 3_600_000)
    const [request] = await connection.scenario.requestsTo('/token')
    expect(request?.headers['authorization']).toMatch(/^Basic /)
  })
})

describe('connections that cannot refresh', () => {
  it('S12 a noRefreshToken connector never calls the token endpoint: an expired token means needs_reauth', async () => {
    const connection = await storeConnection({ label: 'no-refresh-expired', expiresAt: EXPIRED, connectionInput: { noRefreshToken: true } })
    const stub = connectionObject(connection.connectionId)

    expect(await errorCodeOf(() => stub.getAccessToken(connection.tenant))).toBe('needs_reauth')
    expect(await errorCodeOf(() => stub.getAccessToken(connection.tenant))).toBe('needs_reauth')

    expect(await connection.scenario.requestsTo('/token')).toHaveLength(0)
    expect(await stub.getSummary(connection.tenant)).toMatchObject({ status: 'needs_reauth' })
  })

  it('S12 a noRefreshToken connector refuses a forced refresh and passes an API 401 through unchanged', async () => {
    const connection = await storeConnection({ label: 'no-refresh-valid', connectionInput: { noRefreshToken: true } })
    const stub = connectionObject(connection.connectionId)

    expect(await errorCodeOf(() => stub.refresh(connection.tenant))).toBe('refresh_failed')
    await connection.scenario.expireAccessTokens()
    const response = await stub.proxy(connection.tenant, { path: '/me', method: 'GET', headers: [], body: null })

    expect(response.status).toBe(401)
    expect(await connection.scenario.requestsTo('/token')).toHaveLength(0)
    expect(await stub.getAccessToken(connection.tenant)).toMatchObject({ accessToken: connection.tokens.access_token })
  })

  it('a connection the provider gave no refresh token needs the user once its token expired', async () => {
    const connection = await storeConnection({ label: 'no-refresh-token', expiresAt: EXPIRED, upstreamConfig: { issueRefreshToken: false } })
    expect(await errorCodeOf(() => connectionObject(connection.connectionId).getAccessToken(connection.tenant))).toBe('needs_reauth')
    expect(await connection.scenario.requestsTo('/token')).toHaveLength(0)
  })
})
