/**
 * Assertions every compat test makes about what the provider saw: the authorize URL parameter
 * by parameter, how the client authenticated at the token endpoint (RFC 6749 §2.3.1), and
 * that the PKCE verifier matches the challenge (RFC 7636 §4.6).
 */
import { expect } from 'vitest'
import type { LoggedRequest } from './emulator/emulator.ts'
import { REGISTERED_REDIRECT_URI } from './emulator/oauth2-provider.ts'

/** Latchkey's redirect URI, registered with every emulated app. */
export const REDIRECT_URI = REGISTERED_REDIRECT_URI

/** A Latchkey `state`: 32 random bytes, base64url. */
export const STATE = /^[A-Za-z0-9_-]{43}$/

/** An S256 code challenge: 32 bytes, base64url. */
export const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/

/**
 * The authorize URL is `endpoint` with exactly `params` (a RegExp matches a value): no
 * parameter missing, none extra.
 */
export function expectAuthorizeUrl(url: URL, endpoint: string, params: Record<string, string | RegExp>): void {
  expect(`${url.origin}${url.pathname}`).toBe(endpoint)
  const sent = [...url.searchParams.keys()]
  expect(new Set(sent).size, `a parameter repeats in ${url}`).toBe(sent.length)
  expect(sent.sort()).toEqual(Object.keys(params).sort())
  for (const [name, expected] of Object.entries(params)) {
    const value = url.searchParams.get(name)
    if (typeof expected === 'string') expect(value, name).toBe(expected)
    else expect(value, name).toMatch(expected)
  }
}

/** The token request authenticated the client with exactly `method` (and not the other one too). */
export function expectClientAuthentication(request: LoggedRequest, method: 'basic' | 'body', client: { id: string; secret: string }): void {
  const form = request.form ?? {}
  if (method === 'basic') {
    const encode = (value: string): string => encodeURIComponent(value).replace(/%20/g, '+')
    expect(request.headers['authorization']).toBe(`Basic ${btoa(`${encode(client.id)}:${encode(client.secret)}`)}`)
    expect(form['client_secret'], 'client_secret in the body').toBeUndefined()
  } else {
    expect(request.headers['authorization'], 'Authorization header').toBeUndefined()
    expect(form['client_id']).toBe(client.id)
    expect(form['client_secret']).toBe(client.secret)
  }
}

/** The code exchange sent the verifier of the authorize URL's S256 challenge. */
export async function expectPkceVerifier(tokenRequest: LoggedRequest, authorizeUrl: URL): Promise<void> {
  const verifier = tokenRequest.form?.['code_verifier'] ?? ''
  expect(verifier).toMatch(/^[A-Za-z0-9._~-]{43,128}$/)
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)))
  let binary = ''
  for (const byte of digest) binary += String.fromCharCode(byte)
  const challenge = btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
  expect(challenge).toBe(authorizeUrl.searchParams.get('code_challenge'))
}
