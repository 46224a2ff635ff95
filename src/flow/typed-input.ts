/**
 * What a user types into a client-credentials form splits in two by the connector's
 * inputSchema: secret fields (API keys, passwords, tokens) and the rest. Secret values are
 * sealed with the credentials and never leave the connection object (S22); the rest is the
 * connection input as stored and shown (a reconnect URL may carry it).
 *
 * A property is secret when the schema says so (`format: password`, `writeOnly: true`) or
 * its name does (`SECRET_NAME`): real connectors often declare an API key as a plain string.
 */
import { isRecord } from '../is-record.ts'
import type { JsonSchema } from '../registry/types.ts'

/** Property names that hold secrets whatever their schema says: apiKey, api_token, authToken, clientSecret, password... */
const SECRET_NAME = /secret|password|passwd|passphrase|token|api[-_]?key|private[-_]?key|credential/i

/** Whether the property `name` with schema `property` holds a secret. */
export function isSecretProperty(name: string, property: unknown): boolean {
  if (SECRET_NAME.test(name)) return true
  return isRecord(property) && (property['format'] === 'password' || property['writeOnly'] === true)
}

/** The names of the secret properties `schema` declares. */
export function secretPropertyNames(schema: JsonSchema | undefined): string[] {
  const properties = schema !== undefined && isRecord(schema['properties']) ? schema['properties'] : {}
  return Object.entries(properties)
    .filter(([name, property]) => isSecretProperty(name, property))
    .map(([name]) => name)
}

/**
 * `input` split into its secret fields and the rest. A field the schema does not declare is
 * judged by its name alone.
 */
export function splitTypedInput(schema: JsonSchema | undefined, input: Record<string, unknown>): { publicInput: Record<string, unknown>; secretInput: Record<string, unknown> } {
  const properties = schema !== undefined && isRecord(schema['properties']) ? schema['properties'] : {}
  const publicInput: Record<string, unknown> = {}
  const secretInput: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(input)) {
    const secret = isSecretProperty(name, Object.hasOwn(properties, name) ? properties[name] : undefined)
    Object.defineProperty(secret ? secretInput : publicInput, name, { value, enumerable: true, writable: true, configurable: true })
  }
  return { publicInput, secretInput }
}
