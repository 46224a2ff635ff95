/**
 * Test-side client of the emulators (workerd): control calls go to CONTROL_ORIGIN, which the
 * compat project's outbound router (test/compat/outbound.ts) answers in Node. Logs and token
 * lists are filtered by grant, so test files running in parallel never see each other's calls.
 */
import { expect } from 'vitest'
import { CONTROL_ORIGIN, type LoggedRequest } from './emulator/emulator.ts'
import type { UnexpectedRequest } from './outbound.ts'

/** Tokens an emulator issued for one grant. */
export interface IssuedTokenList {
  access: { value: string; issuedBy: 'authorization_code' | 'refresh_token'; expired: boolean }[]
  refresh: { value: string; retired: boolean }[]
}

/** The emulator of one provider, seen from a test. */
export class EmulatorControl {
  constructor(readonly key: string) {}

  /** Every request the emulator logged for `grant`, oldest first. */
  async log(grant: string): Promise<LoggedRequest[]> {
    return (await this.call('log', { grant })) as LoggedRequest[]
  }

  /** The logged requests of `grant` to one endpoint kind. */
  async requests(grant: string, endpoint: LoggedRequest['endpoint']): Promise<LoggedRequest[]> {
    return (await this.log(grant)).filter((entry) => entry.endpoint === endpoint)
  }

  /** What the emulator knows of `grant`: its scope, URL path parameters and provider data (cloud id, tenant id...). */
  async grantInfo(grant: string): Promise<{ scope: string; params: Record<string, string>; data: Record<string, unknown>; revoked: boolean }> {
    return (await this.call('grant', { grant })) as { scope: string; params: Record<string, string>; data: Record<string, unknown>; revoked: boolean }
  }

  /** The access and refresh tokens the emulator issued for `grant`, oldest first. */
  async tokens(grant: string): Promise<IssuedTokenList> {
    return (await this.call('tokens', { grant })) as IssuedTokenList
  }

  /** The newest access token issued for `grant`. */
  async latestAccessToken(grant: string): Promise<string> {
    const { access } = await this.tokens(grant)
    const latest = access.at(-1)
    if (latest === undefined) throw new Error(`${this.key}: no access token issued for ${grant}`)
    return latest.value
  }

  /** Every access token issued so far for `grant` stops being accepted by the API. */
  async expireAccessTokens(grant: string): Promise<void> {
    await this.call('expire', { grant })
  }

  /** A control action of this emulator (generic: log, grant, tokens, expire, revoke; or the provider's own). */
  async call(action: string, input: Record<string, unknown> = {}): Promise<unknown> {
    const response = await fetch(`${CONTROL_ORIGIN}/${this.key}/${action}`, { method: 'POST', body: JSON.stringify(input) })
    if (!response.ok) throw new Error(`emulator control ${this.key}/${action} answered ${response.status}: ${await response.text()}`)
    return response.json()
  }
}

/** Fails when any outbound request was refused or unrouted since the last check (and forgets them). */
export async function expectNoUnexpectedOutbound(): Promise<void> {
  const response = await fetch(`${CONTROL_ORIGIN}/unexpected/take`, { method: 'POST' })
  const unexpected = (await response.json()) as UnexpectedRequest[]
  expect(unexpected, 'outbound HTTP no test expected').toEqual([])
}
