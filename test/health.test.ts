import { SELF } from 'cloudflare:test'
import { expect, it } from 'vitest'

it('answers the health check', async () => {
  const response = await SELF.fetch('https://latchkey.test/health')
  expect(response.status).toBe(200)
  expect(await response.json()).toEqual({ ok: true })
})
