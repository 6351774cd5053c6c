// Appwrite for the Function-path stress scenario (`function.ts`), in its own process so the parent
// can kill it with SIGKILL while executions are in flight: the emulator on a fixed port with a data
// dir, serving the booking Function of `examples/booking-function` (its `src/main.ts` entry, with
// the `execute`, `scopes` and `timeout` of its `appwrite.json` and its `BOOKING_PROVIDERS`
// variable), with call faults this process installs on its own fake from a seed and a rate.
//
// Environment: STRESS_PORT, STRESS_DATA (the data dir), STRESS_SEED, STRESS_BOOT (how many times
// Appwrite started before, so each boot draws other faults), STRESS_FAULT_RATE, STRESS_LATE_MS (the
// latency fault), BOOKING_PROVIDERS (the Function's variable).
// Protocol: prints `{ "ready": … }` once it listens; a line `faults on` / `faults off` on stdin
// installs / clears the faults, `faults?` asks; each is answered
// `{ "faults": <the command>, "fired": { <fault>: <hits> }, "handlers": [<ms>, …] }`, the last the
// run times of the Function's handlers that ended since the previous answer.
import { createInterface } from 'node:readline'
import { startAppwriteEmulator } from '@booking-guard/testing/emulator'
import { bookingFunctionSpec, callFaults, env } from './support'

const spec = bookingFunctionSpec()
const boot = Number(env('STRESS_BOOT'))
/** How long each handler that ended in this process ran, in ms. */
const handlers: number[] = []
const emulator = await startAppwriteEmulator({
  host: '127.0.0.1',
  port: Number(env('STRESS_PORT')),
  data: env('STRESS_DATA'),
  mail: false,
  functions: {
    [spec.$id]: {
      load: async () => {
        const entry = (await import('../../examples/booking-function/src/main')).default
        // The entry as deployed, timed: how long each execution's handler ran, whether or not
        // Appwrite had answered the execution by then (its `timeout`).
        return async (context: Parameters<typeof entry>[0]) => {
          const started = performance.now()
          try {
            return await entry(context)
          } finally {
            handlers.push(performance.now() - started)
          }
        }
      },
      execute: spec.execute,
      scopes: spec.scopes,
      timeout: spec.timeout,
      variables: { BOOKING_PROVIDERS: env('BOOKING_PROVIDERS') },
    },
  },
})
const share = Number(env('STRESS_FAULT_RATE')) / 4
const faultsOn = () =>
  callFaults(
    emulator.fake,
    share,
    Number(env('STRESS_SEED')) * 100 + boot,
    Number(env('STRESS_LATE_MS')),
  )
let rules: ReturnType<typeof callFaults> = []
const fired = () => Object.fromEntries(rules.map(([name, rule]) => [name, rule.hits]))

createInterface({ input: process.stdin }).on('line', (line) => {
  if (line === 'faults on') rules = faultsOn()
  else if (line === 'faults off') emulator.fake.faults.clear()
  else if (line !== 'faults?')
    throw new Error(
      `stress Appwrite: unknown command \`${line}\`: send \`faults on\`, \`faults off\` or \`faults?\``,
    )
  const ran = handlers.splice(0)
  process.stdout.write(`${JSON.stringify({ faults: line, fired: fired(), handlers: ran })}\n`)
})
process.stdout.write(
  `${JSON.stringify({ ready: true, endpoint: emulator.endpoint, projectId: emulator.projectId, apiKey: emulator.apiKey })}\n`,
)
