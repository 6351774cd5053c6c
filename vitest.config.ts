import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const src = (name: string) =>
  fileURLToPath(new URL(`./packages/${name}/src/index.ts`, import.meta.url))
const coreEntry = (name: string) =>
  fileURLToPath(new URL(`./packages/core/src/${name}/index.ts`, import.meta.url))

// Tests import the packages by name and run against their sources, so no build is needed first.
export default defineConfig({
  resolve: {
    alias: {
      '@booking-guard/core/admin': coreEntry('admin'),
      '@booking-guard/core/server': coreEntry('server'),
      '@booking-guard/core/schema': coreEntry('schema'),
      '@booking-guard/core/realtime': coreEntry('realtime'),
      '@booking-guard/core/resilience': coreEntry('resilience'),
      '@booking-guard/core/observers': coreEntry('observers'),
      '@booking-guard/core': src('core'),
      '@booking-guard/react': src('react'),
      '@booking-guard/testing/fixtures': fileURLToPath(
        new URL('./packages/testing/src/fixtures/index.ts', import.meta.url),
      ),
      '@booking-guard/testing/accounts': fileURLToPath(
        new URL('./packages/testing/src/accounts/index.ts', import.meta.url),
      ),
      '@booking-guard/testing/tables': fileURLToPath(
        new URL('./packages/testing/src/tables/index.ts', import.meta.url),
      ),
      '@booking-guard/testing/emulator': fileURLToPath(
        new URL('./packages/testing/src/emulator/index.ts', import.meta.url),
      ),
      '@booking-guard/testing': src('testing'),
    },
  },
  test: {
    include: [
      'packages/*/src/**/*.test.{ts,tsx}',
      'examples/*/src/**/*.test.{ts,tsx}',
      'examples/*/test/**/*.test.{ts,tsx}',
    ],
    typecheck: {
      include: ['packages/*/src/**/*.test-d.{ts,tsx}'],
      tsconfig: './tsconfig.json',
    },
    restoreMocks: true,
    unstubGlobals: true,
  },
})
