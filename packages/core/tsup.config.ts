import { defineConfig } from 'tsup'
import { packageBuild } from '../../scripts/tsupPackage'

export default defineConfig(
  packageBuild(
    [
      'src/index.ts',
      'src/bin.ts',
      'src/schema/index.ts',
      'src/realtime/index.ts',
      'src/resilience/index.ts',
      'src/observers/index.ts',
      'src/server/index.ts',
      'src/admin/index.ts',
    ],
    {
      // The subpath entries share one copy of each module with the root entry.
      splitting: true,
      // bin.ts reads its package.json through import.meta.url; the CJS copy gets a shim for it.
      shims: true,
    },
  ),
)
