/**
 * One Durable Object per authorization server (named by its issuer): the client registration
 * that every discovered connection to that server shares (issue #17). Placeholder until the
 * registration lands.
 */
import { DurableObject } from 'cloudflare:workers'

export class ClientRegistration extends DurableObject<Env> {}
