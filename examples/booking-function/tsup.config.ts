import { defineConfig } from 'tsup'

// One self-contained file for the Node runtime: @booking-guard/core, node-appwrite and zod are
// bundled in, so the deployment installs nothing (appwrite.json `commands` is empty).
export default defineConfig({
  entry: { main: 'src/main.ts' },
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outDir: 'dist',
  clean: true,
  splitting: false,
  noExternal: [/.*/],
  // Bundled CommonJS dependencies call `require` for Node built-ins; give ESM one.
  banner: {
    js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
  },
})
