/**
 * Seeds a connection the way a user makes one: createConnectUrl over the service binding
 * (through the harness), then the browser's part with plain fetch: the start route, the
 * provider's authorize redirect, and the callback with the binding cookie.
 */
import { BENCH_RETURN_ORIGIN } from './worker-configs.ts'

/** Runs the connect flow for `tenant` with the bench connector's `profile`; returns the connection id. */
export async function connectThroughFlow(harnessOrigin: string, tenant: string, profile: string): Promise<string> {
  const created = await fetch(`${harnessOrigin}/bench/connect-url`, {
    method: 'POST',
    body: JSON.stringify({ tenant, profile, returnUrl: `${BENCH_RETURN_ORIGIN}/bench-done` }),
  })
  if (!created.ok) throw new Error(`createConnectUrl failed: ${created.status} ${await created.text()}`)
  const { url } = (await created.json()) as { url: string }

  const start = await expectRedirect(url, null, 302)
  // The start route sets one cookie, the browser binding; the callback must carry it back.
  const cookie = (start.headers.get('Set-Cookie') ?? '').split(';')[0] ?? ''
  const authorize = await expectRedirect(location(start), null, 302)
  const callback = await expectRedirect(location(authorize), cookie, 303)
  const done = new URL(location(callback))
  const connectionId = done.searchParams.get('connection_id')
  if (done.searchParams.get('status') !== 'connected' || connectionId === null) {
    throw new Error(`the connect flow did not end connected: ${done.search}`)
  }
  return connectionId
}

async function expectRedirect(url: string, cookie: string | null, status: number): Promise<Response> {
  const response = await fetch(url, { redirect: 'manual', headers: cookie === null ? {} : { Cookie: cookie } })
  if (response.status !== status) throw new Error(`GET ${new URL(url).pathname} answered ${response.status}, expected ${status}: ${textOf(await response.text())}`)
  await response.body?.cancel()
  return response
}

function location(response: Response): string {
  const value = response.headers.get('Location')
  if (value === null) throw new Error('redirect without Location')
  return value
}

/** The readable text of an error page, for the error message. */
function textOf(html: string): string {
  return html
    .replace(/<style[\s\S]*?<\/style>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .slice(0, 400)
}
