/**
 * The connector decides how refresh works: its own refreshCredentials (merged into the
 * credentials), getCredentialsFromRefreshTokenResponse, or no refresh at all (noRefreshToken).
 */
import { describe, expect, it } from 'vitest'
import { connectionObject, errorCodeOf, expireUpstreamTokens, rpc, storeConnection, storedCredentials, upstreamRequests } from './helpers.ts'

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

    const token = await rpc(() => connectionObject(connection.connectionId).getAccessToken(connection.tenant))

    const [request] = await upstreamRequests(connection.scenario, '/token')
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
    await rpc(() => stub.storeAuthorizedConnection({
      connectionId: connection.connectionId,
      connectorKey: 'conn-custom-refresh',
      tenant: connection.tenant,
      connectionInput: { scenario: connection.scenario },
      credentials: { access_token: 'at_old', refresh_token: 'rt_unknown', expires_at: EXPIRED },
    }))

    expect(await errorCodeOf(() => stub.getAccessToken(connection.tenant))).toBe('refresh_failed')
    expect(await storedCredentials(connection.connectionId)).toMatchObject({ access_token: 'at_old', refresh_token: 'rt_unknown' })
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

    await rpc(() => connectionObject(connection.connectionId).getAccessToken(connection.tenant))

    const stored = await storedCredentials(connection.connectionId)
    expect(stored).toMatchObject({ region: 'eu-1', accountId: 'acct-2' })
    expect(stored['expires_at']).toBeGreaterThanOrEqual(before + 3_600_000)
    const [request] = await upstreamRequests(connection.scenario, '/token')
    expect(request?.headers['authorization']).toMatch(/^Basic /)
  })
})

describe('connections that cannot refresh', () => {
  it('S12 a noRefreshToken connector never calls the token endpoint: an expired token means needs_reauth', async () => {
    const connection = await storeConnection({ label: 'no-refresh-expired', expiresAt: EXPIRED, connectionInput: { noRefreshToken: true } })
    const stub = connectionObject(connection.connectionId)

    expect(await errorCodeOf(() => stub.getAccessToken(connection.tenant))).toBe('needs_reauth')
    expect(await errorCodeOf(() => stub.getAccessToken(connection.tenant))).toBe('needs_reauth')

    expect(await upstreamRequests(connection.scenario, '/token')).toHaveLength(0)
    expect(await rpc(() => stub.getSummaryFor(connection.tenant))).toMatchObject({ status: 'needs_reauth' })
  })

  it('S12 a noRefreshToken connector refuses a forced refresh and passes an API 401 through unchanged', async () => {
    const connection = await storeConnection({ label: 'no-refresh-valid', connectionInput: { noRefreshToken: true } })
    const stub = connectionObject(connection.connectionId)

    expect(await errorCodeOf(() => stub.refresh(connection.tenant))).toBe('refresh_failed')
    await expireUpstreamTokens(connection.scenario)
    const response = await rpc(() => stub.proxy(connection.tenant, { path: '/me', method: 'GET', headers: [], body: null }))

    expect(response.status).toBe(401)
    expect(await upstreamRequests(connection.scenario, '/token')).toHaveLength(0)
    expect(await rpc(() => stub.getAccessToken(connection.tenant))).toMatchObject({ accessToken: connection.tokens.access_token })
  })

  it('a connection the provider gave no refresh token needs the user once its token expired', async () => {
    const connection = await storeConnection({ label: 'no-refresh-token', expiresAt: EXPIRED, upstreamConfig: { issueRefreshToken: false } })
    expect(await errorCodeOf(() => connectionObject(connection.connectionId).getAccessToken(connection.tenant))).toBe('needs_reauth')
    expect(await upstreamRequests(connection.scenario, '/token')).toHaveLength(0)
  })
})
