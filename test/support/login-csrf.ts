/**
 * S21 (login CSRF) for workerd tests: page tokens that carry a display name, and a Worker
 * with the user verifier on (USER_VERIFY_URL on the app's origin, USER_VERIFY_SECRET) with
 * the means to walk a flow up to the application's verify page and to sign the
 * application's HTTP confirmation.
 */
import { env } from 'cloudflare:test'
import { expect } from 'vitest'
import { signWebhookBody } from '../../src/connection/events/webhook-signature.ts'
import type { PageMode } from '../../src/ui/page-token.ts'
import { Browser, LATCHKEY_ORIGIN } from './browser.ts'
import { authorizeAtUpstream, connectUrl, type FlowOptions } from './connect-flow.ts'
import { pageTokenParts, signToken } from './connect-token.ts'
import type { UpstreamScenario } from './upstream.ts'

/** The application's verify page (its origin is on ALLOWED_RETURN_ORIGINS, not that it has to be). */
export const VERIFY_URL = 'https://app.example.com/verify?step=1'
/** The application's HMAC key for HTTP confirmations. Test-only. */
export const USER_VERIFY_SECRET = 'test-only-user-verify-secret-0123456789abcdef'
/** The test environment with the user verifier on. */
export const verifierEnv = { ...env, USER_VERIFY_URL: VERIFY_URL, USER_VERIFY_SECRET } as unknown as Env

/** A page token for `tenant` with the display name `name`, as an application mints it. */
export function mintNamedPageToken(tenant: string, name: unknown, mode: PageMode = 'redirect'): Promise<string> {
  const { header, claims } = pageTokenParts(tenant)
  return signToken(header, { ...claims, mode, name })
}

/** A flow (verifier on) that reached the application's verify page. */
export interface FlowAtVerifyPage {
  /** The browser that started and authorized the flow (it holds the verify binding cookie). */
  browser: Browser
  /** The callback's answer: a 303 to the verify URL. */
  callback: Response
  /** The `latchkey_flow` parameter the application received. */
  flowToken: string
}

/** Starts a flow with the verifier on, authorizes at the test upstream and visits the callback. */
export async function flowToVerifyPage(scenario: UpstreamScenario, options: FlowOptions = {}): Promise<FlowAtVerifyPage> {
  const browser = new Browser({ env: verifierEnv })
  const start = await browser.get(await connectUrl(scenario, { ...options, claims: { return_url: 'https://app.example.com/done', ...options.claims } }))
  expect(start.status).toBe(302)
  // The upstream needs no cookies; this browser sends everything to the Worker.
  const callbackUrl = await authorizeAtUpstream(new Browser(), new URL(start.headers.get('Location') ?? ''))
  const callback = await browser.get(callbackUrl)
  const location = new URL(callback.headers.get('Location') ?? '', LATCHKEY_ORIGIN)
  return { browser, callback, flowToken: location.searchParams.get('latchkey_flow') ?? '' }
}

/** The application's HTTP confirmation of `flowToken` for `tenant`, signed with `secret`. */
export async function postConfirmation(flowToken: string, tenant: string, secret: string | null = USER_VERIFY_SECRET): Promise<Response> {
  const body = JSON.stringify({ flow: flowToken, tenant })
  const headers: Record<string, string> = { 'Content-Type': 'application/json' }
  if (secret !== null) headers['X-Latchkey-Signature'] = await signWebhookBody(secret, body, Math.floor(Date.now() / 1000))
  return new Browser({ env: verifierEnv }).request(`${LATCHKEY_ORIGIN}/oauth/verify-user`, { method: 'POST', headers, body })
}
