import { defineConfig } from 'tsup'

// Every source file is its own entry (as query-core ships), so bundlers can drop what an app does not import.
export default defineConfig({
  entry: ['src/**/*.ts', 'src/**/*.tsx', '!src/**/__tests__/**', '!src/**/*.test.*'],
  format: ['esm', 'cjs'],
  dts: true,
  bundle: false,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  tsconfig: 'tsconfig.build.json',
})
