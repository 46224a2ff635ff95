/**
 * Work a request starts but does not wait for (a pending record's copy in its guard shard,
 * pending-store.ts): handed to the request's `waitUntil`, so it runs after the response is
 * sent and off the redirect's critical path. Its failure is logged, never shown to the user.
 */
import type { Context } from 'hono'
import type { HttpEnv } from '../http/http-env.ts'

/** Hands work to the request's `waitUntil`. */
export type Background = (work: Promise<unknown>) => void

/** The Background of a Hono request: its execution context's `waitUntil`, when it has one. */
export function backgroundOf(c: Context<HttpEnv>): Background {
  let context: { waitUntil(work: Promise<unknown>): void } | null
  try {
    context = c.executionCtx
  } catch {
    // Hono throws when the app was called without an execution context (app.request in a test).
    context = null
  }
  return (work) => {
    const logged = unawaited(work)
    context?.waitUntil(logged)
  }
}

/**
 * Lets the work run without waiting for it (for callers with no request to attach it to, or
 * inside `backgroundOf`); returns it with its failure logged. A failed copy costs only the
 * KV-miss fallback; the name of the error is enough to notice it.
 */
export function unawaited(work: Promise<unknown>): Promise<void> {
  return work.then(
    () => undefined,
    (error: unknown) => {
      console.warn('latchkey: background work of a connect flow failed', error instanceof Error ? error.name : typeof error)
    },
  )
}
