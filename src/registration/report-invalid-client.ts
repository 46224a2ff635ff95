/**
 * `reportInvalidClient` where its caller is already handling another failure (a refused code
 * exchange or refresh): a failure of the report itself is logged, never thrown, so the caller
 * records the failure it has instead of an unrelated one.
 */
import type { DiscoveredAuthorization } from '../discovery/discovered-authorization.ts'
import { reportInvalidClient } from './client-identity.ts'

/** Reports that the token endpoint refused `discovered`'s client (invalid_client); never throws. */
export async function reportInvalidClientQuietly(env: Env, discovered: DiscoveredAuthorization): Promise<void> {
  await reportInvalidClient(env, discovered.issuer, discovered.client).catch((error: unknown) => {
    console.warn('latchkey: could not drop a refused client registration', error instanceof Error ? error.name : typeof error)
  })
}
