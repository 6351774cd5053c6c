#!/usr/bin/env node
// The `booking-guard` executable: runs the built CLI. A stable file, so package managers can link
// it before the package is built (in a workspace) and a missing build is said plainly.
import('../dist/bin.js').catch((error) => {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/bin.js')) {
    console.error('booking-guard: the package is not built: run `pnpm build` in the workspace')
    process.exit(2)
  }
  throw error
})
