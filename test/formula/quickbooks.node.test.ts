import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { runMapping } from './run-mapping.ts'

// The QuickBooks example of connector-format.md, as the YAML files hold it.
const oauthConfigYaml = `
clientId: {$var: $.connectorParameters.clientId}
clientSecret: {$var: $.connectorParameters.clientSecret}
scopes: {$var: $.connectorParameters.scopes}
authorizeUri: https://appcenter.intuit.com/connect/oauth2
tokenUri: https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer
clientAuthLocation: body
`

const makeApiClientYaml = `
args:
  baseUri:
    $case:
      cases:
        - filter: {$eval: {$var: $.credentials.isSandbox}, is: true}
          value: {$concat: {values: [https://sandbox-quickbooks.api.intuit.com, v3/company, {$var: credentials.realmId}], delimiter: /}}
      default: {$concat: {values: [https://quickbooks.api.intuit.com, v3/company, {$var: credentials.realmId}], delimiter: /}}
  headers: {Authorization: {$concat: {values: ['Bearer ', {$var: credentials.access_token}]}}}
`

describe('QuickBooks mappings', () => {
  it('builds the OAuth config from connector parameters', () => {
    const connectorParameters = { clientId: 'qb-client', clientSecret: 'qb-secret', scopes: ['com.intuit.quickbooks.accounting'] }
    expect(runMapping(parse(oauthConfigYaml), { connectorParameters, connectionInput: {}, connectionParameters: {} })).toStrictEqual({
      clientId: 'qb-client',
      clientSecret: 'qb-secret',
      scopes: ['com.intuit.quickbooks.accounting'],
      authorizeUri: 'https://appcenter.intuit.com/connect/oauth2',
      tokenUri: 'https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer',
      clientAuthLocation: 'body',
    })
  })

  it('leaves out a client secret that is not configured', () => {
    expect(runMapping(parse(oauthConfigYaml), { connectorParameters: { clientId: 'qb-client' } })).not.toHaveProperty('clientSecret')
  })

  it.each([
    [
      'sandbox',
      { access_token: 'sandbox-token', realmId: '4620816365', isSandbox: true },
      'https://sandbox-quickbooks.api.intuit.com/v3/company/4620816365',
      'Bearer sandbox-token',
    ],
    ['production', { access_token: 'prod-token', realmId: '9130350', isSandbox: false }, 'https://quickbooks.api.intuit.com/v3/company/9130350', 'Bearer prod-token'],
    ['production when isSandbox is missing', { access_token: 'prod-token', realmId: '9130350' }, 'https://quickbooks.api.intuit.com/v3/company/9130350', 'Bearer prod-token'],
    [
      'production when isSandbox is the string "true" (strict comparison)',
      { access_token: 't', realmId: '1', isSandbox: 'true' },
      'https://quickbooks.api.intuit.com/v3/company/1',
      'Bearer t',
    ],
  ])('builds the %s api client from credentials', (_environment, credentials, baseUri, authorization) => {
    expect(runMapping(parse(makeApiClientYaml), { credentials, connectorParameters: {}, connectionInput: {} })).toStrictEqual({
      args: { baseUri, headers: { Authorization: authorization } },
    })
  })

  it('drops the missing realm from the base URI rather than writing "undefined"', () => {
    expect(runMapping(parse(makeApiClientYaml), { credentials: { access_token: 't' } })).toStrictEqual({
      args: { baseUri: 'https://quickbooks.api.intuit.com/v3/company', headers: { Authorization: 'Bearer t' } },
    })
  })
})
