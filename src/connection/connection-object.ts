/**
 * One Durable Object per connection: credentials, status and serialized refresh.
 */
import { DurableObject } from 'cloudflare:workers'

export class ConnectionObject extends DurableObject<Env> {}
