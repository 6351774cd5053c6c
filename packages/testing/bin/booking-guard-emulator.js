#!/usr/bin/env node
// The `booking-guard-emulator` executable: runs the built emulator CLI. A stable file, so package
// managers can link it before the package is built (in a workspace) and a missing build is said
// plainly.
import('../dist/emulator/bin.js').catch((error) => {
  if (
    error?.code === 'ERR_MODULE_NOT_FOUND' &&
    String(error.message).includes('dist/emulator/bin.js')
  ) {
    console.error(
      'booking-guard-emulator: the package is not built: run `pnpm build` in the workspace',
    )
    process.exit(2)
  }
  throw error
})
