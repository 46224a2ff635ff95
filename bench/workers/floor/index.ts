/**
 * The floors of the hot path and the proxy (bench-only): Durable Object and service-binding
 * round trips that do nothing of their own. A Worker of its own, so that the harness reaches
 * it across isolates, exactly as it reaches the Latchkey Worker.
 */
import { DurableObject, WorkerEntrypoint } from 'cloudflare:workers'

/** Bindings (generated config: bench/lib/worker-configs.ts). */
interface FloorEnv {
  FLOOR: DurableObjectNamespace<FloorObject>
}

/** What the floor returns: the shape and size of an `AccessToken`. */
const CONSTANT_TOKEN = { accessToken: 'at_floor-constant-0123456789abcdef', expiresAt: 4102444800000 }

/** A page of 100 entries shaped and sized like connection summaries: what a listing floor returns. */
const CONSTANT_ENTRIES = Array.from({ length: 100 }, (_, index) => ({
  connectionId: `conn_${String(index).padStart(26, 'a')}`,
  connectorKey: 'bench-oauth',
  authOption: null,
  tenant: 'tenant-list',
  status: 'connected',
  lastError: null,
  testResult: { ok: true, at: 1796000000000 },
  createdAt: 1796000000000,
  updatedAt: 1796000000000,
  lastRefreshedAt: null,
  expiresAt: 1796003600000,
}))

/** A SQLite-backed Durable Object, like ConnectionObject. */
export class FloorObject extends DurableObject<FloorEnv> {
  /** Returns a constant. */
  constant(): { accessToken: string; expiresAt: number } {
    return CONSTANT_TOKEN
  }

  /** Returns a constant page of 100 summary-shaped entries. */
  entries(): typeof CONSTANT_ENTRIES {
    return CONSTANT_ENTRIES
  }

  /** Fetches `url` with `headers` and returns the upstream response as it is. */
  fetchUpstream(url: string, headers: Record<string, string>): Promise<Response> {
    return fetch(url, { headers })
  }
}

/** An entrypoint in front of FloorObject: the same two hops as LatchkeyService -> ConnectionObject. */
export class FloorService extends WorkerEntrypoint<FloorEnv> {
  /** FloorObject.constant through one more RPC hop. */
  constant(): Promise<{ accessToken: string; expiresAt: number }> {
    return this.#floor().constant()
  }

  /** FloorObject.entries through one more RPC hop. */
  entries(): Promise<typeof CONSTANT_ENTRIES> {
    return this.#floor().entries()
  }

  /** FloorObject.fetchUpstream through one more RPC hop. */
  fetchUpstream(url: string, headers: Record<string, string>): Promise<Response> {
    return this.#floor().fetchUpstream(url, headers)
  }

  #floor(): DurableObjectStub<FloorObject> {
    return this.env.FLOOR.get(this.env.FLOOR.idFromName('floor'))
  }
}

export default {
  fetch(): Response {
    return new Response('bench floor Worker: reached over RPC only', { status: 404 })
  },
} satisfies ExportedHandler<FloorEnv>
