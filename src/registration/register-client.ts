/**
 * One dynamic client registration over the network (RFC 7591 section 3): the request of
 * registration-request.ts sent under the discovery network rules (no redirect followed, a time
 * limit, only the headers given: src/discovery/discovery-fetch.ts), its answer validated there
 * too. The endpoint comes from authorization server metadata that discovery already checked
 * against the discovered-URL rules.
 */
import { type DiscoveryFetchOptions, sendDiscoveryRequest } from '../discovery/discovery-fetch.ts'
import { LatchkeyError, isLatchkeyError } from '../errors.ts'
import { type RegisteredClient, type RegistrationMetadata, processRegistrationResponse, registrationRequest } from './registration-request.ts'

/**
 * Registers Latchkey at `registrationEndpoint` and returns the validated client. Throws
 * `client_registration_failed` (unreachable, redirected, timed out, refused, or a malformed answer).
 */
export async function registerClient(registrationEndpoint: string, metadata: RegistrationMetadata, options: DiscoveryFetchOptions, now: () => number): Promise<RegisteredClient> {
  let response: Response
  try {
    response = await sendDiscoveryRequest(new URL(registrationEndpoint), registrationRequest(metadata), 'The client registration endpoint', options)
  } catch (error) {
    // The same failures as discovery's, under the code of the step that failed.
    if (isLatchkeyError(error) && error.code === 'discovery_failed') throw new LatchkeyError('client_registration_failed', error.message, { cause: error })
    throw error
  }
  return processRegistrationResponse(response, metadata.tokenEndpointAuthMethod, now(), options.maxBodyBytes)
}
