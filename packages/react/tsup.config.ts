import { defineConfig } from 'tsup'
import { packageBuild } from '../../scripts/tsupPackage'

export default defineConfig(packageBuild(['src/index.ts']))
