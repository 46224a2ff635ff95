/**
 * Captures the Worker's console output during a test file (S13). The Worker, its Durable
 * Objects and the calls through its own service binding run in the test's isolate, so
 * spying on `console` here sees every line they print. Output still goes on to vitest, which
 * prints a test's console output when the test fails (`silent: 'passed-only'`).
 */
import { vi } from 'vitest'

const METHODS = ['log', 'info', 'warn', 'error', 'debug'] as const

/** A running capture: `text()` is everything printed since it started. */
export interface ConsoleCapture {
  text(): string
  stop(): void
}

/** Starts capturing every console method. */
export function captureConsole(): ConsoleCapture {
  const lines: string[] = []
  const spies = METHODS.map((method) => {
    const original = console[method].bind(console)
    return vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      lines.push(args.map(describe).join(' '))
      original(...args)
    })
  })
  return {
    text: () => lines.join('\n'),
    stop: () => {
      for (const spy of spies) spy.mockRestore()
    },
  }
}

/**
 * The secrets found in `text`, as they are or URL-encoded (each reported by its first
 * characters only, so a failing test does not print them either).
 */
export function leakedSecrets(text: string, secrets: readonly string[]): string[] {
  return [...new Set(secrets)]
    .filter((secret) => secret.length >= 8)
    .filter((secret) => [secret, encodeURIComponent(secret), new URLSearchParams([['', secret]]).toString().slice(1)].some((form) => text.includes(form)))
    .map((secret) => `${secret.slice(0, 4)}...`)
}

function describe(value: unknown): string {
  if (typeof value === 'string') return value
  if (value instanceof Error) return `${value.name}: ${value.message}\n${value.stack ?? ''}`
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}
