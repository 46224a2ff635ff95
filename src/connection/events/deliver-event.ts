/**
 * Delivers connection events where the deployment asks for them: a signed webhook
 * (`EVENTS_WEBHOOK_URL` + `EVENTS_WEBHOOK_SECRET`) and/or a Queue binding (`EVENTS_QUEUE`).
 * Delivery is best effort and never fails the operation that caused the event: callers
 * hand the promise to `waitUntil`. Use the queue when every event must arrive.
 */
import { isLoopbackHost } from '../../loopback-host.ts'
import type { Settings } from '../../settings.ts'
import type { ConnectionEvent } from './connection-event.ts'
import { SIGNATURE_HEADER, signWebhookBody } from './webhook-signature.ts'

/** Abort a webhook request after this long. */
export const WEBHOOK_TIMEOUT_MS = 10_000

/** Where events go; both `null` = events are off. */
export interface EventDestinations {
  webhook: { url: string; secret: string } | null
  queue: Queue<ConnectionEvent> | null
}

/**
 * The destinations the settings name. A webhook needs both the URL (https, or http on loopback
 * with ALLOW_INSECURE_LOOPBACK="true") and the secret; a half-configured webhook is logged and
 * left off rather than sent unsigned.
 */
export function readEventDestinations(settings: Settings): EventDestinations {
  const { webhookUrl: url, webhookSecret: secret, queue } = settings.events
  let webhook: EventDestinations['webhook'] = null
  if (url !== undefined) {
    if (secret === undefined) console.error('latchkey events: EVENTS_WEBHOOK_URL is set but EVENTS_WEBHOOK_SECRET is not; webhook delivery is off.')
    else if (!isAllowedWebhookUrl(url, settings.allowInsecureLoopback)) console.error('latchkey events: EVENTS_WEBHOOK_URL must be an https:// URL; webhook delivery is off.')
    else webhook = { url, secret }
  }
  return { webhook, queue: queue ?? null }
}

/** Sends `event` to every destination. Never throws: failures are logged (event id and type only). */
export async function deliverEvent(destinations: EventDestinations, event: ConnectionEvent, now: number): Promise<void> {
  const deliveries: Promise<void>[] = []
  if (destinations.webhook) deliveries.push(postWebhook(destinations.webhook, event, now))
  if (destinations.queue) deliveries.push(destinations.queue.send(event).then(() => undefined))
  const results = await Promise.allSettled(deliveries)
  for (const result of results) {
    if (result.status === 'rejected') console.error(`latchkey events: delivery of ${event.type} ${event.id} failed`, describe(result.reason))
  }
}

async function postWebhook(webhook: { url: string; secret: string }, event: ConnectionEvent, now: number): Promise<void> {
  const body = JSON.stringify(event)
  const response = await fetch(webhook.url, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      [SIGNATURE_HEADER]: await signWebhookBody(webhook.secret, body, Math.floor(now / 1000)),
    },
    body,
    redirect: 'manual',
    signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
  })
  await response.body?.cancel()
  if (!response.ok) throw new Error(`webhook answered HTTP ${response.status}`)
}

function isAllowedWebhookUrl(value: string, allowInsecureLoopback: boolean): boolean {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return false
  }
  return url.protocol === 'https:' || (url.protocol === 'http:' && allowInsecureLoopback && isLoopbackHost(url.hostname))
}

function describe(reason: unknown): string {
  return reason instanceof Error ? `${reason.name}: ${reason.message}` : typeof reason
}
