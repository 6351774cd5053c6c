import type { Options } from 'tsup'

/**
 * The build every published package shares (as TanStack Query's packages share one tsup
 * preset): ESM + CJS with per-condition types, source maps, ES2022, from `tsconfig.build.json`.
 * Each package's `tsup.config.ts` names its entries and what it adds.
 *
 * One bundled entry per public entry point. STYLE.md asks for a file per entry, but unbundled
 * output keeps extensionless relative imports that Node's ESM loader rejects; a bundled ESM entry
 * with `sideEffects: false` tree-shakes just as well in app bundlers.
 *
 * @example
 * ```ts
 * export default defineConfig(packageBuild(['src/index.ts'], { splitting: true }))
 * ```
 */
export function packageBuild(entry: string[], options: Options = {}): Options {
  return {
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'es2022',
    tsconfig: 'tsconfig.build.json',
    ...options,
  }
}
