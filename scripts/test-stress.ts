/**
 * `npm run test:stress`: the whole suite on a busy machine, as CI often finds it. Starts
 * LATCHKEY_STRESS_BURNERS (default 5) processes that burn a CPU core each, runs
 * `vitest run` (extra arguments are passed on), and stops the burners when vitest ends.
 * A burner also stops by itself after LATCHKEY_STRESS_MAX_MINUTES (default 30), so none can
 * outlive a killed run for long. Exits with vitest's code.
 */
import { spawn, type ChildProcess } from 'node:child_process'

const burners = readCount('LATCHKEY_STRESS_BURNERS', 5)
const maxMinutes = readCount('LATCHKEY_STRESS_MAX_MINUTES', 30)
const BURN = `const end = Date.now() + ${maxMinutes * 60_000}; while (Date.now() < end) {}`

const running: ChildProcess[] = Array.from({ length: burners }, () => spawn(process.execPath, ['-e', BURN], { stdio: 'ignore' }))
const stopBurners = (): void => {
  for (const burner of running) burner.kill('SIGKILL')
}
process.on('exit', stopBurners)
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    stopBurners()
    process.exit(130)
  })
}

console.log(`test:stress: ${burners} CPU burners running alongside the suite`)
const vitest = spawn('npx', ['vitest', 'run', ...process.argv.slice(2)], { stdio: 'inherit' })
vitest.on('exit', (code, signal) => {
  stopBurners()
  process.exitCode = code ?? (signal === null ? 1 : 128)
})

function readCount(name: string, fallback: number): number {
  const value = process.env[name]
  return value !== undefined && /^\d{1,3}$/.test(value) ? Number(value) : fallback
}
