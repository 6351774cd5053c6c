#!/usr/bin/env node
import { runEmulatorCli } from './cli'

// `booking-guard-emulator`: see `runEmulatorCli` for the flags. No top-level await, so the entry
// builds as CommonJS as well as ESM.
void runEmulatorCli(process.argv.slice(2), {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
  onSignal: (signal, handler) => process.once(signal, handler),
}).then((result) => {
  if ('exitCode' in result) {
    process.exitCode = result.exitCode
    return
  }
  result.stopped.then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error)
      process.exit(1)
    },
  )
})
