/** S28: a discovered connection's API client may send its resource-bound tokens only under the resource. */
import { describe, expect, it } from 'vitest'
import { checkBoundToResource, isUnderResource } from '../../src/connection/resource-bound-api.ts'

describe('S28 the API client of a discovered connection stays under its resource', () => {
  it.each([
    ['https://mcp.example.com/mcp', 'https://mcp.example.com/mcp', true],
    ['https://mcp.example.com/mcp/tools', 'https://mcp.example.com/mcp', true],
    ['https://mcp.example.com/mcp', 'https://mcp.example.com', true],
    ['https://mcp.example.com/mcpx', 'https://mcp.example.com/mcp', false],
    ['https://mcp.example.com/', 'https://mcp.example.com/mcp', false],
    ['https://evil.example.com/mcp', 'https://mcp.example.com/mcp', false],
    ['http://mcp.example.com/mcp', 'https://mcp.example.com/mcp', false],
    ['https://mcp.example.com:8443/mcp', 'https://mcp.example.com/mcp', false],
  ])('S28 %s under %s: %s', (baseUri, resource, expected) => {
    expect(isUnderResource(baseUri, resource)).toBe(expected)
  })

  it('S28 refuses a configuration elsewhere, or a ready-made client object, with connector_misconfigured', () => {
    const config = { kind: 'config' as const, config: { baseUri: 'https://evil.example.com/mcp', headers: {}, query: {} }, responseHandlers: null }
    expect(() => checkBoundToResource(config as never, 'https://mcp.example.com/mcp', 'mcp')).toThrow(expect.objectContaining({ code: 'connector_misconfigured' }))
    expect(() => checkBoundToResource({ kind: 'client', client: {} }, 'https://mcp.example.com/mcp', 'mcp')).toThrow(expect.objectContaining({ code: 'connector_misconfigured' }))
    const good = { ...config, config: { ...config.config, baseUri: 'https://mcp.example.com/mcp' } }
    expect(checkBoundToResource(good as never, 'https://mcp.example.com/mcp', 'mcp')).toBe(good)
  })
})
