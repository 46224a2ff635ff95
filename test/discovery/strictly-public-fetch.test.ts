/** S25: the Worker runs with global_fetch_strictly_public (wrangler.toml); workerd gives it no effect locally, so this checks the configuration. */
import { describe, expect, it } from 'vitest'

describe('S25 the compatibility flags', () => {
  it('S25 include global_fetch_strictly_public', () => {
    expect(Cloudflare.compatibilityFlags['global_fetch_strictly_public']).toBe(true)
  })
})
