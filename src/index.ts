/**
 * Latchkey Worker entry: the HTTP routes (connect flow) and the classes workerd needs.
 */
import { Hono } from 'hono'

export { ConnectionObject } from './connection/connection-object.ts'

const app = new Hono<{ Bindings: Env }>()

app.get('/health', (c) => c.json({ ok: true }))

export default app
