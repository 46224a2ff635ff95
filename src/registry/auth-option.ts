/**
 * Connectors with several ways to connect (`auth.options`): a connection runs one option, and
 * every part of Latchkey that runs connector methods sees the connector through that option.
 * The build already merged the methods shared at the `auth` level into each option.
 */
import { LatchkeyError } from '../errors.ts'
import type { CompiledAuth, CompiledConnector } from './types.ts'

/** The option keys of `connector`, in spec order; empty when it has one way to connect. */
export function authOptionKeys(connector: CompiledConnector): string[] {
  return Object.keys(connector.auth.options ?? {})
}

/**
 * `connector` as a connection with `option` sees it: `auth` replaced by that option's block.
 * `null` is right only for a connector without options. Throws `auth_option_required` naming
 * the choices otherwise (the key comes from callers and URLs: no prototype lookups).
 */
export function connectorWithAuthOption(connector: CompiledConnector, option: string | null): CompiledConnector {
  const options = connector.auth.options
  if (options === undefined) {
    if (option === null) return connector
    throw new LatchkeyError('auth_option_required', `Connector "${connector.key}" has one way to connect: leave authOption out.`)
  }
  const chosen: CompiledAuth | undefined = option !== null && Object.hasOwn(options, option) ? options[option] : undefined
  if (chosen === undefined) {
    const keys = Object.keys(options).join(', ')
    throw new LatchkeyError('auth_option_required', `Connector "${connector.key}" offers several ways to connect: set authOption to one of ${keys}.`)
  }
  return { ...connector, auth: chosen }
}
