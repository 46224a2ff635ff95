import { cloudflareTest } from '@cloudflare/vitest-pool-workers'
import { defineConfig } from 'vitest/config'

// Two tiers (see README "Tests"): pure modules run in Node (`*.node.test.ts`), everything
// that touches the Worker, KV or Durable Objects runs in workerd through the test pool.
export default defineConfig({
  test: {
    retry: 0,
    projects: [
      {
        test: {
          name: 'node',
          include: ['test/**/*.node.test.ts'],
          environment: 'node',
        },
      },
      {
        plugins: [cloudflareTest({ wrangler: { configPath: './wrangler.toml' } })],
        test: {
          name: 'workerd',
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.node.test.ts'],
        },
      },
    ],
  },
})
