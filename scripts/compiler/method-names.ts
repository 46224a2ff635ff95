/**
 * Names of auth methods as authors write them: the canonical names the Worker uses, the
 * older names still accepted, and the file names found by convention under `auth/`.
 */
import { AUTH_METHODS } from '../../src/registry/types.ts'
import type { MethodName } from '../../src/registry/types.ts'

/** Older method names still accepted in spec.yml, with the name they are stored under. */
export const OLDER_METHOD_NAMES: Readonly<Record<string, MethodName>> = {
  getCredentialsFromTokenResponse: 'getCredentialsFromAccessTokenResponse',
}

/** Every method key allowed inside an auth block (which ones a type may use: auth-types.ts). */
export const METHOD_KEYS: readonly string[] = [...AUTH_METHODS, ...Object.keys(OLDER_METHOD_NAMES)]

// Extra file base names, besides the kebab-case method name, found by convention.
const EXTRA_FILE_BASE_NAMES: Partial<Record<MethodName, readonly string[]>> = {
  getOAuthConfig: ['oauth-config'],
  getCredentialsFromAccessTokenResponse: ['get-credentials-from-token-response'],
}

/** The method name `key` is stored under, or `undefined` when `key` is not a method. */
export function canonicalMethodName(key: string): MethodName | undefined {
  if ((AUTH_METHODS as readonly string[]).includes(key)) return key as MethodName
  return OLDER_METHOD_NAMES[key]
}

/** Export names a JavaScript module may use for `method`: its name, then its older names. */
export function exportNamesFor(method: MethodName): string[] {
  return [method, ...Object.keys(OLDER_METHOD_NAMES).filter((older) => OLDER_METHOD_NAMES[older] === method)]
}

/** File base names (without extension) under `auth/` that implement `method` by convention. */
export function conventionalBaseNames(method: MethodName): string[] {
  return [kebabCase(method), ...(EXTRA_FILE_BASE_NAMES[method] ?? [])]
}

/** `getOAuthConfig` -> `get-oauth-config`, `makeApiClient` -> `make-api-client`. */
export function kebabCase(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase()
}
