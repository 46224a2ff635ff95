/**
 * The tenant directory's account index (src/connection/tenant-directory.ts `claimAccount`): a
 * claim holds an account while its connection is being stored, a stored summary holds it for
 * good, and a claim whose connection never appeared, or was removed, is taken over.
 */
import { env } from 'cloudflare:workers'
import { describe, expect, it, vi } from 'vitest'
import { newConnectionId } from '../../src/connection-id.ts'
import { ACCOUNT_CLAIM_TTL_MS, tenantDirectory, type AccountKey } from '../../src/connection/tenant-directory.ts'
import { connectionObject, newTenant, storeConnection } from '../support/connections.ts'

const ACCOUNT: AccountKey = { connectorKey: 'test-oauth', authOption: null, accountId: 'https://issuer.example user-1' }

describe('claimAccount', () => {
  it('answers the first claimer while its connection is stored, and takes a claim over once it lapsed', async () => {
    const directory = tenantDirectory(env, newTenant())
    const [first, second, third] = [newConnectionId(), newConnectionId(), newConnectionId()]
    expect(await directory.claimAccount(ACCOUNT, first)).toBe(first)
    expect(await directory.claimAccount(ACCOUNT, second)).toBe(first)
    expect(await directory.claimAccount({ ...ACCOUNT, authOption: 'other' }, second)).toBe(second)
    expect(await directory.claimAccount({ ...ACCOUNT, accountId: 'https://issuer.example user-2' }, third)).toBe(third)

    vi.setSystemTime(Date.now() + ACCOUNT_CLAIM_TTL_MS + 1)
    try {
      expect(await directory.claimAccount(ACCOUNT, third)).toBe(third)
    } finally {
      vi.useRealTimers()
    }
  })

  it('a connection whose summary names the account holds it for good; once disconnected, it does not', async () => {
    const stored = await storeConnection({ label: 'claim-held', connectorKey: 'test-account-rest', upstreamConfig: { apiUser: { id: 'acct-1', login: 'ada' } } })
    // Its test names the account; the summary push records it in the index, with no claim.
    expect(await connectionObject(stored.connectionId).testConnection(stored.tenant)).toMatchObject({ accountId: 'acct-1', accountLabel: 'ada' })
    const directory = tenantDirectory(env, stored.tenant)
    const account: AccountKey = { connectorKey: 'test-account-rest', authOption: null, accountId: 'acct-1' }

    vi.setSystemTime(Date.now() + ACCOUNT_CLAIM_TTL_MS + 1)
    try {
      expect(await directory.claimAccount(account, newConnectionId())).toBe(stored.connectionId)
    } finally {
      vi.useRealTimers()
    }

    await connectionObject(stored.connectionId).disconnect(stored.tenant)
    const next = newConnectionId()
    expect(await directory.claimAccount(account, next)).toBe(next)
  })

  it('a handover to a holder disconnected meanwhile is refused: the disconnected connection does not come back', async () => {
    const stored = await storeConnection({ label: 'handover-gone', connectorKey: 'test-account-rest', upstreamConfig: { apiUser: { id: 'acct-gone', login: 'gone' } } })
    await connectionObject(stored.connectionId).disconnect(stored.tenant)
    const error = await connectionObject(stored.connectionId)
      .createTestedConnection({
        connectionId: stored.connectionId,
        connectorKey: 'test-account-rest',
        tenant: stored.tenant,
        connectionInput: { scenario: stored.scenario.id },
        credentials: { access_token: stored.tokens.access_token },
        account: { id: 'acct-gone', label: 'gone' },
        handedOver: { ok: true, at: Date.now() },
      })
      .catch((caught: unknown) => caught)
    expect(error).toMatchObject({ code: 'connection_not_found' })
    expect(await tenantDirectory(env, stored.tenant).listPage(null, 10)).toMatchObject({ entries: [] })
  })

  it.each<[string, unknown, unknown]>([
    ['no account id', { ...ACCOUNT, accountId: '' }, newConnectionId()],
    ['an account id too long to be one', { ...ACCOUNT, accountId: 'x'.repeat(257) }, newConnectionId()],
    ['a connector key that is not a string', { ...ACCOUNT, connectorKey: 5 }, newConnectionId()],
    ['a malformed connection id', ACCOUNT, 'conn_short'],
  ])('refuses %s', async (_name, account, connectionId) => {
    const directory = tenantDirectory(env, newTenant())
    // Caught on the call itself: a Durable Object RPC promise handed to expect().rejects is
    // reported as an unhandled rejection as well.
    const error = await directory.claimAccount(account as AccountKey, connectionId as string).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(Error)
    expect((error as Error).message).toMatch(/claimAccount/)
  })
})
