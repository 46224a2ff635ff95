/**
 * Vitest reporter (vitest.config.ts `reporters`) that keeps the Workers test pool's own output
 * off the terminal while tests pass. The pool writes two things straight to this process's
 * stdout and stderr, past vitest's capture of test output: workerd's runtime log (an RPC method
 * that rejects, as many tests expect, is logged as an "uncaught exception" with its stack) and
 * wrangler's narration while it reads wrangler.toml for each test file. Those writes are held;
 * when a test file fails, the ones written while it ran follow its result (files run in
 * parallel, so a neighbour's may be among them). When the run fails, so do those of each file
 * an unhandled error came from, and those written outside every test file. `LATCHKEY_VERBOSE=1`
 * prints them as they come.
 */
import type { Reporter, TestModule, TestRunEndReason, Vitest } from 'vitest/node'
import { isVerboseOutput } from '../../scripts/dev/verbose-output.ts'

interface HeldWrite {
  /** Order of arrival, compared with the order at which test files were queued. */
  seq: number
  text: string
  /** Written while no test file was running. */
  outsideFiles: boolean
  printed: boolean
}

type Write = typeof process.stdout.write

/** Stack frames of the pool's writes: its workerd log handler, and wrangler (its config reader). */
const POOL_OUTPUT_FRAMES = [/\bhandleStructuredLogs\b/, /[\\/]node_modules[\\/]wrangler[\\/]/]
/**
 * wrangler saying, for every test file, that it found wrangler.toml's required secrets where
 * vitest.config.ts puts them: not even held.
 */
const SECRETS_SOURCE_NOTE = /^Using secrets defined in process\.env\n?$/

export default class PoolOutputReporter implements Reporter {
  private vitest: Vitest | undefined
  private held: HeldWrite[] = []
  private seq = 0
  /** Test files running now, with the `seq` at which each was queued. */
  private readonly running = new Map<string, number>()
  /** Test files that have ended: the `seq` range written while each ran. */
  private readonly ended = new Map<string, { name: string; since: number; until: number }>()
  private installed = false

  onInit(vitest: Vitest): void {
    this.vitest = vitest
  }

  // After every reporter's onInit: a TTY reporter wraps the streams there, and the pool's
  // writes must reach this wrapper first, not sit in the other one's buffer.
  onTestRunStart(): void {
    this.held = []
    this.running.clear()
    this.ended.clear()
    if (this.installed || isVerboseOutput()) return
    this.installed = true
    for (const stream of [process.stdout, process.stderr]) this.holdPoolWrites(stream)
  }

  onTestModuleQueued(testModule: TestModule): void {
    this.running.set(testModule.id, this.seq)
  }

  onTestModuleEnd(testModule: TestModule): void {
    const window = { name: `${testModule.project.name}/${testModule.relativeModuleId}`, since: this.running.get(testModule.id) ?? this.seq, until: this.seq }
    this.running.delete(testModule.id)
    this.ended.set(testModule.moduleId, window)
    if (testModule.state() === 'failed') this.printWindow(window)
  }

  onTestRunEnd(_testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>, reason: TestRunEndReason): void {
    if (reason === 'failed' || unhandledErrors.length > 0) {
      // Vitest names the test file an unhandled error came from.
      for (const error of unhandledErrors) {
        const window = this.ended.get(String((error as { VITEST_TEST_PATH?: unknown } | null)?.VITEST_TEST_PATH))
        if (window !== undefined) this.printWindow(window)
      }
      // wrangler says the same for every test file as the pool reads its configuration.
      this.print(
        'Workers runtime and wrangler output outside any test file (repeats counted)',
        this.held.filter((write) => write.outsideFiles),
        { countRepeats: true },
      )
    }
    this.held = []
  }

  private printWindow(window: { name: string; since: number; until: number }): void {
    this.print(
      `Workers runtime and wrangler output while ${window.name} ran`,
      this.held.filter((write) => write.seq >= window.since && write.seq < window.until),
    )
  }

  private holdPoolWrites(stream: NodeJS.WriteStream): void {
    const write: Write = stream.write.bind(stream)
    const holding = ((chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
      if (!isPoolWrite()) return (write as (...args: unknown[]) => boolean)(chunk, ...rest)
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')
      if (!SECRETS_SOURCE_NOTE.test(text)) this.held.push({ seq: this.seq++, text, outsideFiles: this.running.size === 0, printed: false })
      const callback = rest.find((argument) => typeof argument === 'function') as (() => void) | undefined
      if (callback !== undefined) process.nextTick(callback)
      return true
    }) as Write
    stream.write = holding
  }

  private print(heading: string, writes: HeldWrite[], { countRepeats = false } = {}): void {
    const unprinted = writes.filter((write) => !write.printed)
    if (unprinted.length === 0 || this.vitest === undefined) return
    for (const write of unprinted) write.printed = true
    const texts = unprinted.map((write) => write.text.replace(/\n$/, ''))
    const lines = countRepeats ? withRepeatsCounted(texts) : texts
    this.vitest.logger.error(`\n${heading}:\n${lines.join('\n')}\n`)
  }
}

/** Each distinct text once, in order of first appearance, with `(xN)` when it came N > 1 times. */
function withRepeatsCounted(texts: string[]): string[] {
  const counts = new Map<string, number>()
  for (const text of texts) counts.set(text, (counts.get(text) ?? 0) + 1)
  return [...counts].map(([text, count]) => (count > 1 ? `${text} (x${count})` : text))
}

/** Whether the write in progress comes from the pool (its stack passes through one of POOL_OUTPUT_FRAMES). */
function isPoolWrite(): boolean {
  const limit = Error.stackTraceLimit
  Error.stackTraceLimit = 40
  const stack = new Error().stack ?? ''
  Error.stackTraceLimit = limit
  return POOL_OUTPUT_FRAMES.some((frame) => frame.test(stack))
}
