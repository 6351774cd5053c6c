#!/usr/bin/env node
import { createRequire } from 'node:module'
import { main } from './cli'

// dist/bin.js and src/bin.ts both sit one folder below the package's own package.json.
const { version } = createRequire(import.meta.url)('../package.json') as { version: string }

// The `booking-guard` executable: everything testable lives in `main`.
main(process.argv.slice(2), {
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  version,
}).then(
  (code) => {
    process.exitCode = code
    // A request abandoned after its timeout can hold a socket open for minutes; once the output is
    // flushed, do not wait for it. Unref'd, so a finished process exits at once without it.
    setTimeout(() => process.exit(), 1_000).unref()
  },
  (error: unknown) => {
    // `main` never rejects; this guards against a bug in it, still as one line.
    process.stderr.write(
      `booking-guard: ${error instanceof Error ? error.message : String(error)}\n`,
    )
    process.exitCode = 1
  },
)
