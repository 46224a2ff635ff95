/**
 * S13 at rest: what the connection object stores, read raw. Tokens are sealed with
 * AES-GCM under a kid from CREDENTIALS_KEYS; an older kid keeps decrypting after rotation.
 */
import { runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { openCredentials, readCredentialKeyring, sealCredentials } from '../../src/connection/credential-encryption.ts'
import { LatchkeyError } from '../../src/errors.ts'
import { connectionObject, durableObject, openStoredCredentials, rawStorage, storeConnection, storedCredentials } from '../support/connections.ts'

describe('S13 credentials at rest', () => {
  it('S13 raw storage holds no token value, before and after a refresh', async () => {
    const connection = await storeConnection({ label: 's13-raw', expiresAt: Date.now() - 1000 })
    await connectionObject(connection.connectionId).getAccessToken(connection.tenant)
    const refreshed = await storedCredentials(connection.connectionId)

    const raw = JSON.stringify(await rawStorage(connection.connectionId))
    for (const secret of [connection.tokens.access_token, connection.tokens.refresh_token, refreshed['access_token'], refreshed['refresh_token']]) {
      expect(typeof secret).toBe('string')
      expect(raw).not.toContain(secret)
    }
    expect(await rawStorage(connection.connectionId)).toMatchObject({
      schema: 1,
      credentials: { v: 1, kid: 'test-2026', iv: expect.any(String), data: expect.any(String) },
      connection: { connectionId: connection.connectionId, status: 'connected' },
    })
  })

  it('S13 key rotation: credentials sealed with an older kid still decrypt, and are rewritten with the current kid', async () => {
    const connection = await storeConnection({ label: 's13-rotation' })
    const stub = durableObject(connection.connectionId)
    // Re-seal what is stored with the previous key, as an older deployment would have written it,
    // then restart the object so it starts from storage.
    await runInDurableObject(stub, async (_instance, state) => {
      const keyring = await readCredentialKeyring(env)
      const credentials = await openStoredCredentials(state.storage.kv.get('credentials'), connection.connectionId)
      state.storage.kv.put('credentials', await sealCredentials(credentials, { ...keyring, currentKid: 'test-2025' }, connection.connectionId))
    })
    expect(await rawStorage(connection.connectionId)).toMatchObject({ credentials: { kid: 'test-2025' } })
    await runInDurableObject(stub, (_instance, state) => {
      try {
        state.abort('restart to load storage written by an older deployment')
      } catch {
        // abort() also throws into its caller.
      }
    }).catch(() => undefined)

    // A stub that saw the abort is broken for good: talk to the restarted object through a new one.
    const restarted = connectionObject(connection.connectionId)
    expect(await restarted.getAccessToken(connection.tenant)).toMatchObject({ accessToken: connection.tokens.access_token })
    expect(await rawStorage(connection.connectionId)).toMatchObject({ credentials: { kid: 'test-2026' } })
    expect(await storedCredentials(connection.connectionId)).toMatchObject({ refresh_token: connection.tokens.refresh_token })
  })

  it('S13 sealed credentials are bound to their connection: a copy in another connection does not decrypt', async () => {
    const keyring = await readCredentialKeyring(env)
    const sealed = await sealCredentials({ access_token: 'at_bound' }, keyring, 'conn_aaaaaaaaaaaaaaaaaaaaaaaaaa')
    await expect(openCredentials(sealed, keyring, 'conn_bbbbbbbbbbbbbbbbbbbbbbbbbb')).rejects.toSatisfy(
      (error) => error instanceof LatchkeyError && error.code === 'internal_error',
    )
    expect(await openCredentials(sealed, keyring, 'conn_aaaaaaaaaaaaaaaaaaaaaaaaaa')).toEqual({ access_token: 'at_bound' })
  })

  it('S13 a kid missing from CREDENTIALS_KEYS is reported as credentials_key_misconfigured', async () => {
    const keyring = await readCredentialKeyring(env)
    const sealed = await sealCredentials({ access_token: 'at_orphan' }, keyring, 'conn_aaaaaaaaaaaaaaaaaaaaaaaaaa')
    await expect(openCredentials({ ...sealed, kid: 'retired-kid' }, keyring, 'conn_aaaaaaaaaaaaaaaaaaaaaaaaaa')).rejects.toSatisfy(
      (error) => error instanceof LatchkeyError && error.code === 'credentials_key_misconfigured',
    )
  })

  it('the summary of a connection carries no secret', async () => {
    const connection = await storeConnection({ label: 's13-summary' })
    const summary = JSON.stringify(await connectionObject(connection.connectionId).getSummary(connection.tenant))
    expect(summary).not.toContain(connection.tokens.access_token)
    expect(summary).not.toContain(connection.tokens.refresh_token)
  })
})
