/**
 * S27 client identity of discovered connections, against the test upstream's scripted
 * registration endpoint (test/setup/upstream-servers.ts; `/register` answers only what a test
 * scripts): pre-registered (MCP_CLIENTS) before the client ID metadata document before dynamic
 * registration; one registration per (authorization server, deployment) in single flight, its
 * secret sealed; renewed at min(15 minutes, half its life) before its secret expires, the
 * renewed client still served until it expires; dropped once on invalid_client, at most once per
 * 10 minutes; a stored record that cannot be used ignored and registered anew; a stored reference
 * that is no longer current refused. Every test has its own scenario, so its own issuer and
 * registration object. Time passing is simulated by rewriting stored times, never by waiting.
 */
import { runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { readCredentialKeyring } from '../../src/connection/credential-encryption.ts'
import type { DiscoverySnapshot } from '../../src/discovery/index.ts'
import { clientIdentityFor, currentClient, reportInvalidClient } from '../../src/registration/client-identity.ts'
import { type ClientReference, isClientReference } from '../../src/registration/client-reference.ts'
import type { ClientRegistration } from '../../src/registration/client-registration.ts'
import { DROP_INTERVAL_MS } from '../../src/registration/registration-policy.ts'
import {
  DROPPED_AT_KEY,
  PREVIOUS_REGISTRATION_KEY,
  REGISTRATION_KEY,
  type StoredRegistration,
  openRegistration,
  registrationObjectName,
} from '../../src/registration/registration-record.ts'
import { errorCodeOf } from '../support/error-code.ts'
import { type ScriptedResponse, UpstreamScenario } from '../support/upstream.ts'

const REDIRECT_URI = 'https://latchkey.test/oauth/callback'

/** The test pool's environment with some variables replaced (a fresh object: its own settings). */
function envWith(variables: Record<string, string>): Env {
  return { ...env, ...variables } as unknown as Env
}

/** What discovery would give for the scenario's authorization server: DCR offered, no CIMD. */
function snapshotFor(scenario: UpstreamScenario, overrides: Partial<DiscoverySnapshot> = {}): DiscoverySnapshot {
  return {
    resource: `${scenario.base}/mcp`,
    resourceMetadataUrl: `${scenario.base}/.well-known/oauth-protected-resource/mcp`,
    issuer: scenario.issuer,
    authorizationEndpoint: `${scenario.base}/authorize`,
    tokenEndpoint: `${scenario.base}/token`,
    registrationEndpoint: `${scenario.base}/register`,
    clientIdMetadataDocumentSupported: false,
    tokenEndpointAuthMethodsSupported: ['client_secret_basic'],
    issParameterSupported: false,
    scopes: null,
    offlineAccessSupported: false,
    ...overrides,
  }
}

/** A successful RFC 7591 answer for `clientId`, with a secret derived from it. */
function registered(clientId: string, fields: Record<string, unknown> = {}, delayMs = 0): ScriptedResponse {
  return { status: 201, delayMs, body: { client_id: clientId, client_secret: secretOf(clientId), client_secret_expires_at: 0, ...fields } }
}

function secretOf(clientId: string): string {
  return `secret-of-${clientId}-do-not-log`
}

/** The registration object of `issuer` for this deployment (or another redirect URI), as a Durable Object. */
function registrationObject(issuer: string, redirectUri = REDIRECT_URI): DurableObjectStub<ClientRegistration> {
  return env.CLIENT_REGISTRATIONS.get(env.CLIENT_REGISTRATIONS.idFromName(registrationObjectName({ issuer, redirectUri })))
}

/** What the registration object stores under `key`, read raw (null: nothing). */
function storedRegistration(issuer: string, key = REGISTRATION_KEY): Promise<unknown> {
  return runInDurableObject(registrationObject(issuer), (_instance, state) => state.storage.kv.get(key) ?? null)
}

/** Replaces what the registration object stores under `key` (as a bug, a migration or time would), without restarting it. */
async function rewriteStored(issuer: string, key: string, rewrite: (stored: StoredRegistration) => unknown): Promise<void> {
  await runInDurableObject(registrationObject(issuer), (_instance, state) => {
    const stored = state.storage.kv.get<StoredRegistration>(key)
    if (stored === undefined) throw new Error(`nothing stored under ${key}`)
    state.storage.kv.put(key, rewrite(stored))
  })
}

/** Collects what the code under test writes with console.warn (the registration object runs in this isolate too). */
function warnings(): string[] {
  const logged: string[] = []
  vi.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => {
    logged.push(args.map(String).join(' '))
  })
  return logged
}

afterEach(() => {
  vi.restoreAllMocks()
})

/** Restarts the registration object, so its next call starts from storage. */
async function restart(issuer: string): Promise<void> {
  await runInDurableObject(registrationObject(issuer), (_instance, state) => {
    try {
      state.abort('restart from storage')
    } catch {
      // abort() also throws into its caller.
    }
  }).catch(() => undefined)
}

function dynamicReference(clientId: string): ClientReference {
  return { clientId, source: 'dynamic' }
}

describe('S27 dynamic registration: one per (authorization server, deployment)', () => {
  it('S27 20 concurrent connect starts make exactly one registration request and all get the same client', async () => {
    const scenario = new UpstreamScenario()
    // A slow registration endpoint keeps the registration in flight while all 20 calls arrive.
    await scenario.script('/register', [registered('client-once', {}, 200)])

    const identities = await Promise.all(Array.from({ length: 20 }, () => clientIdentityFor(env, snapshotFor(scenario))))

    expect(await scenario.count('/register')).toBe(1)
    for (const identity of identities) {
      expect(identity).toEqual({ clientId: 'client-once', clientSecret: secretOf('client-once'), tokenEndpointAuthMethod: 'client_secret_basic', source: 'dynamic' })
    }
  })

  it('S27 sends the RFC 7591 metadata of this deployment: its redirect URI, refresh_token, application_type web, the chosen method; no credential', async () => {
    const scenario = new UpstreamScenario()
    await scenario.script('/register', [registered('client-metadata', { token_endpoint_auth_method: 'client_secret_post' })])

    const identity = await clientIdentityFor(env, snapshotFor(scenario, { tokenEndpointAuthMethodsSupported: ['private_key_jwt', 'client_secret_post', 'none'] }))

    const [request] = await scenario.requestsTo('/register')
    expect(request?.method).toBe('POST')
    expect(request?.headers['content-type']).toBe('application/json')
    expect(request?.headers['authorization']).toBeUndefined()
    expect(JSON.parse(request?.body ?? '')).toEqual({
      client_name: 'Latchkey',
      redirect_uris: [REDIRECT_URI],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      application_type: 'web',
      token_endpoint_auth_method: 'client_secret_post',
    })
    expect(identity.tokenEndpointAuthMethod).toBe('client_secret_post')
  })

  it('S27 reuses the registration: later connect starts and token requests (currentClient) send nothing to the server', async () => {
    const scenario = new UpstreamScenario()
    await scenario.script('/register', [registered('client-reused')])

    const first = await clientIdentityFor(env, snapshotFor(scenario))
    const second = await clientIdentityFor(env, snapshotFor(scenario))
    const forTokenRequest = await currentClient(env, scenario.issuer, { clientId: first.clientId, source: first.source })

    expect(second).toEqual(first)
    expect(forTokenRequest).toEqual(first)
    expect(await scenario.count('/register')).toBe(1)
  })

  it('S27 another authorization server gets its own registration, and a client is never handed out for another issuer', async () => {
    const first = new UpstreamScenario()
    const second = new UpstreamScenario()
    await first.script('/register', [registered('client-of-first')])
    await second.script('/register', [registered('client-of-second')])

    const [one, two] = await Promise.all([clientIdentityFor(env, snapshotFor(first)), clientIdentityFor(env, snapshotFor(second))])

    expect(one.clientId).toBe('client-of-first')
    expect(two.clientId).toBe('client-of-second')
    expect([await first.count('/register'), await second.count('/register')]).toEqual([1, 1])
    expect(await errorCodeOf(() => currentClient(env, second.issuer, dynamicReference('client-of-first')))).toBe('client_registration_changed')
  })

  it('S27 a deployment with another PUBLIC_BASE_URL registers anew, with its own redirect URI', async () => {
    const scenario = new UpstreamScenario()
    await scenario.script('/register', [registered('client-here'), registered('client-moved')])
    const moved = envWith({ PUBLIC_BASE_URL: 'https://moved.latchkey.test' })

    const here = await clientIdentityFor(env, snapshotFor(scenario))
    const there = await clientIdentityFor(moved, snapshotFor(scenario))

    expect([here.clientId, there.clientId]).toEqual(['client-here', 'client-moved'])
    const bodies = (await scenario.requestsTo('/register')).map((request) => JSON.parse(request.body) as { redirect_uris: string[] })
    expect(bodies.map((body) => body.redirect_uris)).toEqual([[REDIRECT_URI], ['https://moved.latchkey.test/oauth/callback']])
    expect(await errorCodeOf(() => currentClient(moved, scenario.issuer, dynamicReference('client-here')))).toBe('client_registration_changed')
  })

  it('S27 S13 stores the client secret sealed: raw storage never holds it, the keyring opens it', async () => {
    const scenario = new UpstreamScenario()
    await scenario.script('/register', [registered('client-sealed')])
    await clientIdentityFor(env, snapshotFor(scenario))

    const stored = await storedRegistration(scenario.issuer)
    expect(JSON.stringify(stored)).not.toContain(secretOf('client-sealed'))
    expect(stored).toMatchObject({
      v: 1,
      issuer: scenario.issuer,
      redirectUri: REDIRECT_URI,
      clientId: 'client-sealed',
      tokenEndpointAuthMethod: 'client_secret_basic',
      sealedSecret: { v: 1, kid: 'test-2026', iv: expect.any(String), data: expect.any(String) },
    })
    const opened = await openRegistration(stored as StoredRegistration, () => readCredentialKeyring(env))
    expect(opened.client.clientSecret).toBe(secretOf('client-sealed'))
  })

  it('S27 a public client (the server offers only none) stores no secret at all', async () => {
    const scenario = new UpstreamScenario()
    await scenario.script('/register', [{ status: 201, body: { client_id: 'client-public', token_endpoint_auth_method: 'none' } }])

    const identity = await clientIdentityFor(env, snapshotFor(scenario, { tokenEndpointAuthMethodsSupported: ['none'] }))

    expect(identity).toEqual({ clientId: 'client-public', clientSecret: null, tokenEndpointAuthMethod: 'none', source: 'dynamic' })
    expect(JSON.parse((await scenario.requestsTo('/register'))[0]?.body ?? '')).toMatchObject({ token_endpoint_auth_method: 'none' })
    expect(await storedRegistration(scenario.issuer)).toMatchObject({ clientId: 'client-public', sealedSecret: null })
  })

  it('S27 survives a restart: the next call reads the sealed registration back from storage', async () => {
    const scenario = new UpstreamScenario()
    await scenario.script('/register', [registered('client-persisted')])
    await clientIdentityFor(env, snapshotFor(scenario))

    await restart(scenario.issuer)

    expect(await currentClient(env, scenario.issuer, dynamicReference('client-persisted'))).toMatchObject({ clientSecret: secretOf('client-persisted') })
    expect((await clientIdentityFor(env, snapshotFor(scenario))).clientId).toBe('client-persisted')
    expect(await scenario.count('/register')).toBe(1)
  })
})

describe('S27 invalid_client and stale references', () => {
  it('S27 concurrent invalid_client reports drop the registration once; the next connect starts register exactly once more', async () => {
    const scenario = new UpstreamScenario()
    await scenario.script('/register', [registered('client-refused'), registered('client-renewed', {}, 200)])
    await clientIdentityFor(env, snapshotFor(scenario))

    await Promise.all(Array.from({ length: 10 }, () => reportInvalidClient(env, scenario.issuer, dynamicReference('client-refused'))))

    expect(await storedRegistration(scenario.issuer)).toBeNull()
    expect(await errorCodeOf(() => currentClient(env, scenario.issuer, dynamicReference('client-refused')))).toBe('client_registration_changed')
    const renewed = await Promise.all(Array.from({ length: 10 }, () => clientIdentityFor(env, snapshotFor(scenario))))
    expect(new Set(renewed.map((identity) => identity.clientId))).toEqual(new Set(['client-renewed']))
    expect(await scenario.count('/register')).toBe(2)

    // A late report about the old client leaves the new one alone.
    await reportInvalidClient(env, scenario.issuer, dynamicReference('client-refused'))
    expect((await clientIdentityFor(env, snapshotFor(scenario))).clientId).toBe('client-renewed')
    expect(await scenario.count('/register')).toBe(2)
  })

  it('S27 an invalid_client report within 10 minutes of the last drop is ignored, logged without a secret; after 10 minutes one drops again', async () => {
    const scenario = new UpstreamScenario()
    await scenario.script('/register', [registered('client-first'), registered('client-second'), registered('client-third')])
    await clientIdentityFor(env, snapshotFor(scenario))
    await reportInvalidClient(env, scenario.issuer, dynamicReference('client-first'))
    expect((await clientIdentityFor(env, snapshotFor(scenario))).clientId).toBe('client-second')
    const logged = warnings()

    await reportInvalidClient(env, scenario.issuer, dynamicReference('client-second'))

    expect(await storedRegistration(scenario.issuer)).toMatchObject({ clientId: 'client-second' })
    expect(await currentClient(env, scenario.issuer, dynamicReference('client-second'))).toMatchObject({ clientSecret: secretOf('client-second') })
    expect(logged).toHaveLength(1)
    expect(logged[0]).toContain('invalid_client')
    expect(logged.join('\n')).not.toContain('do-not-log')

    // The last drop is now just over 10 minutes old.
    await runInDurableObject(registrationObject(scenario.issuer), (_instance, state) => {
      state.storage.kv.put(DROPPED_AT_KEY, Date.now() - DROP_INTERVAL_MS - 1000)
    })
    await reportInvalidClient(env, scenario.issuer, dynamicReference('client-second'))
    expect(await storedRegistration(scenario.issuer)).toBeNull()
    expect((await clientIdentityFor(env, snapshotFor(scenario))).clientId).toBe('client-third')
    expect(await scenario.count('/register')).toBe(3)
  })

  it('S27 a server that answers invalid_client to every client costs one new registration per 10 minutes, not one per token request', async () => {
    const scenario = new UpstreamScenario()
    await scenario.script(
      '/register',
      Array.from({ length: 6 }, (_, index) => registered(`client-refused-${index}`)),
    )

    for (let round = 0; round < 6; round += 1) {
      const identity = await clientIdentityFor(env, snapshotFor(scenario))
      await reportInvalidClient(env, scenario.issuer, { clientId: identity.clientId, source: identity.source })
    }

    expect(await scenario.count('/register')).toBe(2)
    expect(await storedRegistration(scenario.issuer)).toMatchObject({ clientId: 'client-refused-1' })
  })

  it('S27 an invalid_client report about the renewed (previous) client drops nothing', async () => {
    const scenario = new UpstreamScenario()
    await scenario.script('/register', [registered('client-old', { client_secret_expires_at: Math.floor(Date.now() / 1000) + 3600 }), registered('client-new')])
    await clientIdentityFor(env, snapshotFor(scenario))
    await rewriteStored(scenario.issuer, REGISTRATION_KEY, (stored) => ({ ...stored, registeredAt: Date.now() - 2 * 3600_000, clientSecretExpiresAt: Date.now() + 60_000 }))
    await restart(scenario.issuer)
    expect((await clientIdentityFor(env, snapshotFor(scenario))).clientId).toBe('client-new')

    await reportInvalidClient(env, scenario.issuer, dynamicReference('client-old'))

    expect(await storedRegistration(scenario.issuer)).toMatchObject({ clientId: 'client-new' })
    expect(await storedRegistration(scenario.issuer, DROPPED_AT_KEY)).toBeNull()
  })

  it('S27 a reference to a client that is not the current registration is refused with client_registration_changed', async () => {
    const scenario = new UpstreamScenario()
    await scenario.script('/register', [registered('client-current')])

    // Nothing registered yet at this server.
    expect(await errorCodeOf(() => currentClient(env, scenario.issuer, dynamicReference('client-current')))).toBe('client_registration_changed')
    await clientIdentityFor(env, snapshotFor(scenario))
    expect(await errorCodeOf(() => currentClient(env, scenario.issuer, dynamicReference('client-from-elsewhere')))).toBe('client_registration_changed')
    expect(await errorCodeOf(() => currentClient(env, scenario.issuer, dynamicReference('client-current')))).toBeNull()
  })

  it('S27 invalid_client about a pre-registered or metadata-document client drops nothing', async () => {
    const scenario = new UpstreamScenario()
    await scenario.script('/register', [registered('client-kept')])
    await clientIdentityFor(env, snapshotFor(scenario))

    await reportInvalidClient(env, scenario.issuer, { clientId: 'client-kept', source: 'pre-registered' })
    await reportInvalidClient(env, scenario.issuer, { clientId: 'client-kept', source: 'metadata-document' })

    expect(await storedRegistration(scenario.issuer)).toMatchObject({ clientId: 'client-kept' })
  })

  it('S27 a fresh registration with a short-lived secret (60 s) is handed out for half its life, not renewed at every connect start', async () => {
    const scenario = new UpstreamScenario()
    const inAMinute = Math.floor(Date.now() / 1000) + 60
    await scenario.script('/register', [registered('client-short-lived', { client_secret_expires_at: inAMinute }), registered('client-churned')])

    const identities = []
    for (let start = 0; start < 3; start += 1) identities.push(await clientIdentityFor(env, snapshotFor(scenario)))

    expect(identities.map((identity) => identity.clientId)).toEqual(['client-short-lived', 'client-short-lived', 'client-short-lived'])
    expect(await scenario.count('/register')).toBe(1)
    expect(await errorCodeOf(() => currentClient(env, scenario.issuer, dynamicReference('client-short-lived')))).toBeNull()
  })

  it('S27 a registration due for renewal is renewed at the next connect start; the renewed client still serves token requests until its own secret expires', async () => {
    const scenario = new UpstreamScenario()
    const inAnHour = Math.floor(Date.now() / 1000) + 3600
    await scenario.script('/register', [registered('client-expiring', { client_secret_expires_at: inAnHour }), registered('client-fresh')])
    expect((await clientIdentityFor(env, snapshotFor(scenario))).clientId).toBe('client-expiring')
    // Registered two hours ago, its secret has 5 minutes left: less than min(15 minutes, half its life).
    const expiresAt = Date.now() + 5 * 60_000
    await rewriteStored(scenario.issuer, REGISTRATION_KEY, (stored) => ({ ...stored, registeredAt: Date.now() - 2 * 3600_000, clientSecretExpiresAt: expiresAt }))
    await restart(scenario.issuer)

    expect((await clientIdentityFor(env, snapshotFor(scenario))).clientId).toBe('client-fresh')
    expect(await scenario.count('/register')).toBe(2)
    // Flows pending with the old client, and connections made with it, complete and refresh, also after a restart.
    await restart(scenario.issuer)
    expect(await currentClient(env, scenario.issuer, dynamicReference('client-expiring'))).toMatchObject({ clientSecret: secretOf('client-expiring') })
    expect(await currentClient(env, scenario.issuer, dynamicReference('client-fresh'))).toMatchObject({ clientSecret: secretOf('client-fresh') })
    expect(await storedRegistration(scenario.issuer, PREVIOUS_REGISTRATION_KEY)).toMatchObject({ clientId: 'client-expiring', clientSecretExpiresAt: expiresAt })

    // Once its secret has expired, the old client is refused and forgotten.
    await rewriteStored(scenario.issuer, PREVIOUS_REGISTRATION_KEY, (stored) => ({ ...stored, clientSecretExpiresAt: Date.now() - 1000 }))
    await restart(scenario.issuer)
    expect(await errorCodeOf(() => currentClient(env, scenario.issuer, dynamicReference('client-expiring')))).toBe('client_registration_changed')
    expect(await storedRegistration(scenario.issuer, PREVIOUS_REGISTRATION_KEY)).toBeNull()
    expect((await clientIdentityFor(env, snapshotFor(scenario))).clientId).toBe('client-fresh')
    expect(await scenario.count('/register')).toBe(2)
  })

  it('S27 an expired secret is no longer handed out for token requests, and the next connect start registers again', async () => {
    const scenario = new UpstreamScenario()
    await scenario.script('/register', [registered('client-expired'), registered('client-after-expiry')])
    await clientIdentityFor(env, snapshotFor(scenario))
    // The secret expired a second ago: rewrite the stored expiry and restart from storage.
    await runInDurableObject(registrationObject(scenario.issuer), (_instance, state) => {
      const stored = state.storage.kv.get<StoredRegistration>(REGISTRATION_KEY)
      if (stored === undefined) throw new Error('nothing stored')
      state.storage.kv.put(REGISTRATION_KEY, { ...stored, clientSecretExpiresAt: Date.now() - 1000 })
    })
    await restart(scenario.issuer)

    expect(await errorCodeOf(() => currentClient(env, scenario.issuer, dynamicReference('client-expired')))).toBe('client_registration_changed')
    expect((await clientIdentityFor(env, snapshotFor(scenario))).clientId).toBe('client-after-expiry')
    expect(await scenario.count('/register')).toBe(2)
  })
})

describe('S27 stored registrations that cannot be used', () => {
  it('S27 a stored registration whose secret does not open is logged (without a secret), deleted, and registered anew', async () => {
    const scenario = new UpstreamScenario()
    await scenario.script('/register', [registered('client-corrupt'), registered('client-after-corruption')])
    await clientIdentityFor(env, snapshotFor(scenario))
    await rewriteStored(scenario.issuer, REGISTRATION_KEY, (stored) => ({ ...stored, sealedSecret: { ...stored.sealedSecret, data: btoa('not the sealed secret') } }))
    const logged = warnings()
    await restart(scenario.issuer)

    expect(await errorCodeOf(() => currentClient(env, scenario.issuer, dynamicReference('client-corrupt')))).toBe('client_registration_changed')
    expect((await clientIdentityFor(env, snapshotFor(scenario))).clientId).toBe('client-after-corruption')
    expect(await currentClient(env, scenario.issuer, dynamicReference('client-after-corruption'))).toMatchObject({ clientSecret: secretOf('client-after-corruption') })
    expect(await scenario.count('/register')).toBe(2)
    expect(logged.filter((line) => line.includes('client registration'))).toHaveLength(1)
    expect(logged.join('\n')).not.toContain('do-not-log')
  })

  it('S27 a stored registration of another authorization server (copied into this object) is ignored, and this server gets its own', async () => {
    const elsewhere = new UpstreamScenario()
    const here = new UpstreamScenario()
    await elsewhere.script('/register', [registered('client-of-elsewhere')])
    await here.script('/register', [registered('client-of-here')])
    await clientIdentityFor(env, snapshotFor(elsewhere))
    const copied = await storedRegistration(elsewhere.issuer)
    await runInDurableObject(registrationObject(here.issuer), (_instance, state) => {
      state.storage.kv.put(REGISTRATION_KEY, copied)
    })
    await restart(here.issuer)
    const logged = warnings()

    expect(await errorCodeOf(() => currentClient(env, here.issuer, dynamicReference('client-of-elsewhere')))).toBe('client_registration_changed')
    expect((await clientIdentityFor(env, snapshotFor(here))).clientId).toBe('client-of-here')
    expect(await here.count('/register')).toBe(1)
    expect(await storedRegistration(here.issuer)).toMatchObject({ issuer: here.issuer, clientId: 'client-of-here' })
    expect(logged.filter((line) => line.includes('client registration'))).toHaveLength(1)
  })

  it('S27 a stored value of another shape is ignored, and the next connect start registers', async () => {
    const scenario = new UpstreamScenario()
    await scenario.script('/register', [registered('client-after-garbage')])
    await runInDurableObject(registrationObject(scenario.issuer), (_instance, state) => {
      state.storage.kv.put(REGISTRATION_KEY, { v: 2, clientId: 'from-the-future' })
    })
    await restart(scenario.issuer)

    expect((await clientIdentityFor(env, snapshotFor(scenario))).clientId).toBe('client-after-garbage')
  })

  it('S13 a secret sealed with a kid no longer in CREDENTIALS_KEYS is a configuration error, and the registration is kept for when the key returns', async () => {
    const scenario = new UpstreamScenario()
    await scenario.script('/register', [registered('client-retired-key')])
    await clientIdentityFor(env, snapshotFor(scenario))
    await rewriteStored(scenario.issuer, REGISTRATION_KEY, (stored) => ({ ...stored, sealedSecret: { ...stored.sealedSecret, kid: 'retired-2020' } }))
    await restart(scenario.issuer)

    expect(await errorCodeOf(() => currentClient(env, scenario.issuer, dynamicReference('client-retired-key')))).toBe('credentials_key_misconfigured')
    expect(await errorCodeOf(() => clientIdentityFor(env, snapshotFor(scenario)))).toBe('credentials_key_misconfigured')
    expect(await storedRegistration(scenario.issuer)).toMatchObject({ clientId: 'client-retired-key', sealedSecret: { kid: 'retired-2020' } })
    expect(await scenario.count('/register')).toBe(1)
  })

  it('S27 a record written before registrationEndpoint was dropped from the schema still loads; new records have none', async () => {
    const scenario = new UpstreamScenario()
    await scenario.script('/register', [registered('client-legacy')])
    await clientIdentityFor(env, snapshotFor(scenario))
    expect(await storedRegistration(scenario.issuer)).not.toHaveProperty('registrationEndpoint')
    await rewriteStored(scenario.issuer, REGISTRATION_KEY, (stored) => ({ ...stored, registrationEndpoint: `${scenario.base}/register` }))
    await restart(scenario.issuer)

    expect(await currentClient(env, scenario.issuer, dynamicReference('client-legacy'))).toMatchObject({ clientSecret: secretOf('client-legacy') })
    expect((await clientIdentityFor(env, snapshotFor(scenario))).clientId).toBe('client-legacy')
    expect(await scenario.count('/register')).toBe(1)
  })
})

describe('isClientReference: the shape of a stored client reference', () => {
  it.each<[string, unknown, boolean]>([
    ['a dynamic reference', { clientId: 'c1', source: 'dynamic' }, true],
    ['a pre-registered reference', { clientId: 'c1', source: 'pre-registered' }, true],
    ['a metadata-document reference', { clientId: 'https://latchkey.test/oauth/client-metadata.json', source: 'metadata-document' }, true],
    ['an empty clientId', { clientId: '', source: 'dynamic' }, false],
    ['a numeric clientId', { clientId: 7, source: 'dynamic' }, false],
    ['an unknown source', { clientId: 'c1', source: 'borrowed' }, false],
    ['no source', { clientId: 'c1' }, false],
    ['null', null, false],
    ['an array', ['c1', 'dynamic'], false],
    ['a string', 'c1', false],
  ])('%s', (_name, value, expected) => {
    expect(isClientReference(value)).toBe(expected)
  })

  it('a corrupt stored reference never reaches a token request: internal_error', async () => {
    const scenario = new UpstreamScenario()
    expect(await errorCodeOf(() => currentClient(env, scenario.issuer, { clientId: '', source: 'dynamic' }))).toBe('internal_error')
    expect(await errorCodeOf(() => currentClient(env, scenario.issuer, { clientId: 'c1', source: 'borrowed' } as unknown as ClientReference))).toBe('internal_error')
  })
})

describe('S27 registration failures', () => {
  it.each<[string, ScriptedResponse]>([
    ['a 201 without client_id', { status: 201, body: { client_secret: 'secret-without-client-do-not-log' } }],
    ['a confidential client without client_secret', { status: 201, body: { client_id: 'half-a-client' } }],
    ['a 400 invalid_client_metadata', { status: 400, body: { error: 'invalid_client_metadata', error_description: 'secret-in-description-do-not-log' } }],
    ['a 500', { status: 500, body: 'upstream down' }],
    ['a body that is not JSON', { status: 201, headers: { 'Content-Type': 'application/json' }, body: '{"client_id": "c", ' }],
  ])('S27 refuses %s with client_registration_failed, stores nothing, and tries again at the next start', async (_name, answer) => {
    const scenario = new UpstreamScenario()
    await scenario.script('/register', [answer, registered('client-second-try')])

    const failure = await clientIdentityFor(env, snapshotFor(scenario)).then(
      () => null,
      (error: unknown) => error,
    )

    expect(await errorCodeOf(failure)).toBe('client_registration_failed')
    expect(String((failure as Error).message)).not.toContain('do-not-log')
    expect(await storedRegistration(scenario.issuer)).toBeNull()
    expect((await clientIdentityFor(env, snapshotFor(scenario))).clientId).toBe('client-second-try')
    expect(await scenario.count('/register')).toBe(2)
  })

  it('S25 S27 refuses a redirect from the registration endpoint without following it', async () => {
    const scenario = new UpstreamScenario()
    await scenario.script('/register', [{ status: 307, headers: { Location: `${scenario.base}/register-elsewhere` } }])

    expect(await errorCodeOf(() => clientIdentityFor(env, snapshotFor(scenario)))).toBe('client_registration_failed')
    expect(await scenario.count('/register-elsewhere')).toBe(0)
  })

  it('S27 a server with neither CIMD nor registration is client_registration_unavailable, as is one that authenticates clients only in ways Latchkey cannot', async () => {
    const scenario = new UpstreamScenario()

    expect(await errorCodeOf(() => clientIdentityFor(env, snapshotFor(scenario, { registrationEndpoint: null })))).toBe('client_registration_unavailable')
    expect(await errorCodeOf(() => clientIdentityFor(env, snapshotFor(scenario, { tokenEndpointAuthMethodsSupported: ['private_key_jwt'] })))).toBe(
      'client_registration_unavailable',
    )
    expect(await scenario.count('/register')).toBe(0)
  })
})

describe('S27 the order: pre-registered, then the client ID metadata document, then registration', () => {
  it('S27 a client in MCP_CLIENTS for the exact issuer wins over CIMD and registration, and nothing is registered', async () => {
    const scenario = new UpstreamScenario()
    const withClients = envWith({ MCP_CLIENTS: JSON.stringify({ [scenario.issuer]: { clientId: 'operator-client', clientSecret: 'operator-secret' } }) })

    const identity = await clientIdentityFor(withClients, snapshotFor(scenario, { clientIdMetadataDocumentSupported: true }))

    expect(identity).toEqual({ clientId: 'operator-client', clientSecret: 'operator-secret', tokenEndpointAuthMethod: 'client_secret_basic', source: 'pre-registered' })
    expect(await currentClient(withClients, scenario.issuer, { clientId: 'operator-client', source: 'pre-registered' })).toEqual(identity)
    expect(await scenario.count('/register')).toBe(0)
  })

  it('S27 a pre-registered client is never used for another issuer, not even one that differs by a trailing slash', async () => {
    const scenario = new UpstreamScenario()
    await scenario.script('/register', [registered('client-for-exact-issuer')])
    const withClients = envWith({ MCP_CLIENTS: JSON.stringify({ [`${scenario.issuer}/`]: { clientId: 'operator-client', clientSecret: 'operator-secret' } }) })

    expect((await clientIdentityFor(withClients, snapshotFor(scenario))).clientId).toBe('client-for-exact-issuer')
    expect(await errorCodeOf(() => currentClient(withClients, scenario.issuer, { clientId: 'operator-client', source: 'pre-registered' }))).toBe('client_registration_changed')
  })

  it('S27 a pre-registered client removed or replaced in MCP_CLIENTS is client_registration_changed for stored connections', async () => {
    const scenario = new UpstreamScenario()
    const replaced = envWith({ MCP_CLIENTS: JSON.stringify({ [scenario.issuer]: { clientId: 'operator-client-2', clientSecret: 'operator-secret' } }) })

    expect(await errorCodeOf(() => currentClient(env, scenario.issuer, { clientId: 'operator-client', source: 'pre-registered' }))).toBe('client_registration_changed')
    expect(await errorCodeOf(() => currentClient(replaced, scenario.issuer, { clientId: 'operator-client', source: 'pre-registered' }))).toBe('client_registration_changed')
  })

  it('S27 a malformed MCP_CLIENTS is server_misconfigured, not a silent fall-through to registration', async () => {
    const scenario = new UpstreamScenario()
    const broken = envWith({ MCP_CLIENTS: '{"https://auth.example.com": {"client_id": "c"}}' })

    expect(await errorCodeOf(() => clientIdentityFor(broken, snapshotFor(scenario)))).toBe('server_misconfigured')
    expect(await scenario.count('/register')).toBe(0)
  })

  it("S27 a server that accepts client ID metadata documents gets Latchkey's document URL as a public client, and nothing is registered", async () => {
    const scenario = new UpstreamScenario()

    const identity = await clientIdentityFor(env, snapshotFor(scenario, { clientIdMetadataDocumentSupported: true }))

    expect(identity).toEqual({ clientId: 'https://latchkey.test/oauth/client-metadata.json', clientSecret: null, tokenEndpointAuthMethod: 'none', source: 'metadata-document' })
    expect(await currentClient(env, scenario.issuer, { clientId: identity.clientId, source: identity.source })).toEqual(identity)
    expect(await scenario.count('/register')).toBe(0)
    // A deployment whose document moved (another PUBLIC_BASE_URL) no longer vouches for that client_id.
    const moved = envWith({ PUBLIC_BASE_URL: 'https://moved.latchkey.test' })
    expect(await errorCodeOf(() => currentClient(moved, scenario.issuer, { clientId: identity.clientId, source: identity.source }))).toBe('client_registration_changed')
  })

  it('S27 without an https PUBLIC_BASE_URL there is no document, so a CIMD server with a registration endpoint gets a registration', async () => {
    const scenario = new UpstreamScenario()
    await scenario.script('/register', [registered('client-over-http')])
    const overHttp = envWith({ PUBLIC_BASE_URL: 'http://localhost:8787' })

    const identity = await clientIdentityFor(overHttp, snapshotFor(scenario, { clientIdMetadataDocumentSupported: true }))

    expect(identity).toMatchObject({ clientId: 'client-over-http', source: 'dynamic' })
    expect(JSON.parse((await scenario.requestsTo('/register'))[0]?.body ?? '')).toMatchObject({ redirect_uris: ['http://localhost:8787/oauth/callback'] })
  })

  it('S27 the test-only MCP_CLIENT_METADATA_URL is the client_id with ALLOW_INSECURE_LOOPBACK (the conformance suite expects its own URL)', async () => {
    const scenario = new UpstreamScenario()
    const conformance = envWith({ PUBLIC_BASE_URL: 'http://localhost:8787', MCP_CLIENT_METADATA_URL: 'https://conformance-test.local/client-metadata.json' })

    const identity = await clientIdentityFor(conformance, snapshotFor(scenario, { clientIdMetadataDocumentSupported: true }))

    expect(identity).toMatchObject({ clientId: 'https://conformance-test.local/client-metadata.json', source: 'metadata-document' })
  })
})
