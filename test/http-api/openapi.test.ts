/**
 * The OpenAPI document: served without a key, generated from the routes, and identical to the
 * committed docs/openapi.json (the CI drift check: run `npm run openapi` after changing a route).
 */
import { describe, expect, it } from 'vitest'
import committed from '../../docs/openapi.json'
import { callApi } from './api-call.ts'
import { API_ROUTES } from './routes.ts'

type Operation = { operationId: string; security: Array<Record<string, string[]>> }

async function servedDocument(): Promise<{ paths: Record<string, Record<string, Operation>> }> {
  const response = await callApi('GET', '/v1/openapi.json')
  expect(response.status).toBe(200)
  expect(response.headers.get('Content-Type')).toMatch(/^application\/json/)
  return response.json()
}

describe('the OpenAPI document', () => {
  it('is served at /v1/openapi.json without a key, and equals docs/openapi.json (if not: run `npm run openapi` and commit it)', async () => {
    expect(await servedDocument(), 'docs/openapi.json is out of date: run `npm run openapi`').toEqual(committed)
  })

  it('is OpenAPI 3.1 and describes every operation with the scope its guard requires', async () => {
    const document = await servedDocument()
    expect(committed.openapi).toBe('3.1.0')
    const operations = Object.entries(document.paths).flatMap(([path, item]) => Object.entries(item).map(([method, operation]) => ({ path, method, ...operation })))
    for (const route of API_ROUTES) {
      const documented = operations.find((operation) => operation.operationId === route.operation || operation.operationId === `${route.operation}_${route.method.toLowerCase()}`)
      expect(documented, route.operation).toBeDefined()
      expect(documented?.security).toEqual([{ apiKey: [route.scope] }])
    }
  })
})
