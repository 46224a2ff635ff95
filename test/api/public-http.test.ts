/**
 * S14: credentials leave Latchkey only over the service binding. No public HTTP route
 * returns them, whatever path or method is tried without credentials.
 */
import { SELF } from 'cloudflare:test'
import { expect, it } from 'vitest'
import { storeConnection } from '../connection/helpers.ts'

it('S14 no public HTTP route returns a stored token', async () => {
  const connection = await storeConnection({ label: 's14-http' })
  const { connectionId, tenant } = connection
  const paths = [
    `/connections/${connectionId}`,
    `/connections/${connectionId}/token`,
    `/connections/${connectionId}/credentials`,
    `/api/connections/${connectionId}`,
    `/token?connectionId=${connectionId}&tenant=${tenant}`,
    `/credentials?connectionId=${connectionId}&tenant=${tenant}`,
    `/proxy/${connectionId}/me`,
    `/${connectionId}`,
    `/rpc/getAccessToken?tenant=${tenant}&connectionId=${connectionId}`,
  ]
  for (const path of paths) {
    for (const method of ['GET', 'POST']) {
      const response = await SELF.fetch(`https://latchkey.test${path}`, { method })
      const body = await response.text()
      expect(response.status, `${method} ${path}`).toBeGreaterThanOrEqual(400)
      expect(body, `${method} ${path}`).not.toContain(connection.tokens.access_token)
      expect(body, `${method} ${path}`).not.toContain(connection.tokens.refresh_token)
    }
  }
})
