import { defineConfig } from 'tsup'
import { packageBuild } from '../../scripts/tsupPackage'

export default defineConfig(
  packageBuild(
    [
      'src/index.ts',
      'src/accounts/index.ts',
      'src/tables/index.ts',
      'src/emulator/index.ts',
      'src/emulator/bin.ts',
      'src/fixtures/index.ts',
    ],
    // The emulator entry shares one copy of the fake with the root entry in CJS too.
    { splitting: true },
  ),
)
