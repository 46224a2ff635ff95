/**
 * The authorize-redirect baseline (bench-only): the least a start route can do with Hono,
 * one KV write of a pending-authorization-sized record under a random state, then a 302.
 */
import { Hono } from 'hono'

/** Bindings (generated config: bench/lib/worker-configs.ts). */
interface BaselineEnv {
  PENDING: KVNamespace
}

const app = new Hono<{ Bindings: BaselineEnv }>()

app.get('/start', async (c) => {
  const state = crypto.randomUUID()
  const record = { version: 1, tenant: 'bench', createdAt: Date.now(), padding: 'x'.repeat(400) }
  await c.env.PENDING.put(`state:${state}`, JSON.stringify(record), { expirationTtl: 660 })
  return c.redirect(`https://provider.example/authorize?state=${state}`, 302)
})

export default app
