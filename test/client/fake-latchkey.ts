/**
 * A stand-in for Latchkey's service binding in the client's node tests: every RPC the client
 * makes is recorded and answered by the test (`answer`), at the moment the test chooses, so
 * sharing, caching and ordering are observable without timers.
 */
import type { DirectApiClientConfig, LatchkeyRpc } from '@latchkey/client'

/** One RPC the client made, waiting for the test's answer. */
export interface PendingCall {
  method: string
  args: unknown[]
  resolve(value: unknown): void
  reject(error: unknown): void
}

/** What the fake binding answers by itself when the test set no `answer` for a method. */
type AutoAnswer = (args: unknown[]) => unknown

export class FakeLatchkey {
  /** Every call, answered or not, in order. */
  readonly calls: PendingCall[] = []
  readonly #auto = new Map<string, AutoAnswer>()
  /** Answer calls of `method` at once with what `answer` returns (a function of the call's arguments); throwing rejects. */
  autoAnswer(method: string, answer: AutoAnswer): this {
    this.#auto.set(method, answer)
    return this
  }

  /** Leave calls of `method` unanswered until the test answers them. */
  answerByHand(method: string): this {
    this.#auto.delete(method)
    return this
  }

  /** Calls of `method` so far. */
  callsOf(method: string): PendingCall[] {
    return this.calls.filter((call) => call.method === method)
  }

  /** The binding to hand to LatchkeyClient. */
  get binding(): LatchkeyRpc {
    return new Proxy({} as LatchkeyRpc, {
      get: (_target, method) => {
        if (typeof method !== 'string' || method === 'then') return undefined
        return (...args: unknown[]) =>
          new Promise((resolve, reject) => {
            this.calls.push({ method, args, resolve, reject })
            const auto = this.#auto.get(method)
            if (auto === undefined) return
            try {
              resolve(auto(args))
            } catch (error) {
              reject(error)
            }
          })
      },
    })
  }
}

/** An error as it arrives over RPC from Latchkey. */
export function rpcError(code: string, message = 'from the fake Latchkey'): Error {
  return new Error(`[latchkey:${code}] ${message}`)
}

/** A direct configuration as getApiClientConfig returns it. */
export function directConfig(version: string, overrides: Partial<Extract<DirectApiClientConfig, { direct: true }>> = {}): DirectApiClientConfig {
  return {
    direct: true,
    baseUri: 'https://api.example.com/v2',
    headers: { Authorization: `Bearer token-${version}` },
    query: { client: 'latchkey' },
    version,
    expiresAt: null,
    ...overrides,
  }
}

/** A clock the test moves. */
export class ManualClock {
  ms = Date.UTC(2026, 0, 1)
  readonly now = (): number => this.ms
  advance(ms: number): void {
    this.ms += ms
  }
}

/** Lets every continuation of what has settled run: yields once to Node's event loop (a turn, not a wait). */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}
