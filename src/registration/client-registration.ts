/**
 * One Durable Object per (authorization server, deployment), named by
 * `registrationObjectName({issuer, redirectUri})`: the dynamic client registration (RFC 7591)
 * every discovered connection to that server shares (issue #17, S27). Made once, in single flight,
 * its secret sealed; renewed ahead of its secret's expiry, and dropped (at most once per 10
 * minutes) when the server calls it `invalid_client`.
 * Every public method here is callable over RPC, so this class only forwards to the private
 * `RegistrationImplementation` and encodes error codes for the trip; callers use
 * `clientRegistrationStub`, which turns the codes back into LatchkeyErrors. Layout: STORAGE.md.
 */
import { DurableObject } from 'cloudflare:workers'
import { fromRpcError, withRpcErrors } from '../connection/rpc-error.ts'
import { type DropOutcome, RegistrationImplementation, type RegistrationParameters } from './registration-implementation.ts'
import { type RegistrationOwner, registrationObjectName } from './registration-record.ts'
import type { RegisteredClient } from './registration-request.ts'

export class ClientRegistration extends DurableObject<Env> {
  readonly #registration: RegistrationImplementation

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    this.#registration = new RegistrationImplementation(ctx, env)
    void ctx.blockConcurrencyWhile(() => this.#registration.start())
  }

  /** The current client, registered first when there is none (or its renewal is due). */
  obtainClient(parameters: RegistrationParameters): Promise<RegisteredClient> {
    return withRpcErrors(() => this.#registration.obtain(parameters))
  }

  /** The client `clientId` with its secret while it is current (or the previous one, until its secret expires); else `client_registration_changed`. */
  currentClient(owner: RegistrationOwner, clientId: string): Promise<RegisteredClient> {
    return withRpcErrors(() => this.#registration.current(owner, clientId))
  }

  /** Forgets the registration if `clientId` is still current (the server refused it) and none was dropped in the last 10 minutes. */
  dropClient(owner: RegistrationOwner, clientId: string): Promise<DropOutcome> {
    return withRpcErrors(() => this.#registration.drop(owner, clientId))
  }
}

/** The RPC methods of `ClientRegistration`, with LatchkeyErrors as if the call were local. */
export type ClientRegistrationStub = Pick<ClientRegistration, 'obtainClient' | 'currentClient' | 'dropClient'>

/** The registration object of `owner`. */
export function clientRegistrationStub(env: Env, owner: RegistrationOwner): ClientRegistrationStub {
  const stub = env.CLIENT_REGISTRATIONS.get(env.CLIENT_REGISTRATIONS.idFromName(registrationObjectName(owner)))
  return {
    obtainClient: (parameters) => decoded(() => stub.obtainClient(parameters)),
    currentClient: (named, clientId) => decoded(() => stub.currentClient(named, clientId)),
    dropClient: (named, clientId) => decoded(() => stub.dropClient(named, clientId)),
  }
}

/** Awaits an RPC call and rethrows its error as the LatchkeyError it was encoded from. */
async function decoded<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (error) {
    throw fromRpcError(error)
  }
}
