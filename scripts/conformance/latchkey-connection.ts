/**
 * One connection to the MCP server through Latchkey, as an application holds it: made by sending
 * the browser through a connect URL, used through the proxy, and made again (a reconnect with the
 * same `connectionId`) when the resource asks for more (step-up: Latchkey's `step_up_required`,
 * after which the reconnect requests the union of the scopes) or stops accepting the connection
 * (`needs_reauth`, or a 401 that Latchkey's own refresh-and-retry did not clear, as when the
 * resource moved to another authorization server: the reconnect discovers again).
 *
 * The retries are bounded so a resource that never clears its 403 ends the run: at most
 * MAX_STEP_UPS reconnects for scopes (three authorizations in all, the limit of the suite's
 * `auth/scope-retry-limit`) and MAX_REAUTHORIZATIONS for a refused connection.
 */
import type { Browser } from './browser-navigation.ts'
import { readConnectResult } from './connect-result.ts'
import { type LatchkeyApi, LatchkeyRefusal } from './latchkey-api.ts'
import type { McpTransport } from './mcp-client.ts'

/** The connector of a connection by URL (connectors/mcp/spec.yml). */
export const MCP_CONNECTOR_KEY = 'mcp'
/** Reconnects for more scopes after the first authorization. */
export const MAX_STEP_UPS = 2
/** Reconnects after the resource stopped accepting the connection. */
export const MAX_REAUTHORIZATIONS = 1

/** The connect flow did not end connected: the Latchkey error code (or the status) says why. */
export class ConnectRefused extends Error {
  readonly code: string

  constructor(code: string, detail: string) {
    super(`${code}: ${detail}`)
    this.name = 'ConnectRefused'
    this.code = code
  }
}

/** What the connection is to, and where flows end. */
export interface ConnectionTarget {
  resourceUrl: string
  returnUrl: string
}

/** A connection to one resource, made and remade on demand. */
export class LatchkeyConnection {
  readonly #api: LatchkeyApi
  readonly #browser: Browser
  readonly #target: ConnectionTarget
  readonly #log: (line: string) => void
  #connectionId: string | null = null
  #authorizations = 0
  #stepUps = 0
  #reauthorizations = 0

  constructor(api: LatchkeyApi, browser: Browser, target: ConnectionTarget, log: (line: string) => void) {
    this.#api = api
    this.#browser = browser
    this.#target = target
    this.#log = log
  }

  /** How many connect flows ran (first connect and reconnects). */
  get authorizations(): number {
    return this.#authorizations
  }

  /** Runs a connect flow: the first, or a reconnect of the connection; throws ConnectRefused or LatchkeyRefusal. */
  async connect(): Promise<void> {
    const reconnect = this.#connectionId !== null
    const url = await this.#api.createConnectUrl({
      connectorKey: MCP_CONNECTOR_KEY,
      ...(this.#connectionId === null ? { connectionInput: { resourceUrl: this.#target.resourceUrl } } : { connectionId: this.#connectionId }),
      returnUrl: this.#target.returnUrl,
    })
    this.#authorizations++
    this.#log(`${reconnect ? 'reconnect' : 'connect'} flow ${this.#authorizations}`)
    const end = await this.#browser.navigate(url, this.#target.returnUrl)
    if (end.kind === 'page') {
      const code = pageErrorCode(end.text) ?? 'flow_did_not_return'
      throw new ConnectRefused(code, `the flow ended on a page at ${end.url.origin}${end.url.pathname} (HTTP ${end.status}) instead of the return URL`)
    }
    const result = readConnectResult(end.url)
    if (!result.ok) throw new ConnectRefused(result.error, result.providerError === null ? 'the flow ended with this error' : `provider error ${result.providerError}`)
    if (result.status !== 'connected') throw new ConnectRefused(`status_${result.status}`, 'the flow ended with a connection that is not connected')
    this.#connectionId = result.connectionId
    this.#log(`connected (${reconnect ? 'same' : 'new'} connection)`)
  }

  /** Sends MCP messages to the resource itself through the proxy, reconnecting within the limits above. */
  readonly transport: McpTransport = async (headers, body) => {
    for (;;) {
      const connectionId = this.#connectionId
      if (connectionId === null) throw new Error('not connected')
      let response: Response
      try {
        response = await this.#api.proxy(connectionId, { method: 'POST', path: '', headers, body })
      } catch (error) {
        if (error instanceof LatchkeyRefusal && error.code === 'step_up_required' && this.#stepUps < MAX_STEP_UPS) {
          this.#stepUps++
          this.#log(`step_up_required: reconnecting for more scopes (${this.#stepUps} of ${MAX_STEP_UPS})`)
          await this.connect()
          continue
        }
        if (error instanceof LatchkeyRefusal && error.code === 'needs_reauth' && this.#reauthorizations < MAX_REAUTHORIZATIONS) {
          this.#reauthorizations++
          this.#log('needs_reauth: reconnecting')
          await this.connect()
          continue
        }
        throw error
      }
      if (response.status === 401 && this.#reauthorizations < MAX_REAUTHORIZATIONS) {
        await response.body?.cancel()
        this.#reauthorizations++
        this.#log('the resource answered 401 after Latchkey refreshed: reconnecting')
        await this.connect()
        continue
      }
      return response
    }
  }
}

/** The code on Latchkey's error page ("Error code: <code>…</code>", src/flow/pages.ts), or null. */
export function pageErrorCode(html: string): string | null {
  return /Error code: <code>([a-z_]{1,64})<\/code>/.exec(html)?.[1] ?? null
}
