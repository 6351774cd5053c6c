// Bundle weight of the paths an app takes through the packages, from the sources, and what
// dominates each (esbuild metafile: minified bytes per module before gzip). The budgets CI checks
// are in `.size-limit.json` (built packages). The browser path and the server core have goals
// (10 and 25 kB min+gzip) they do not meet yet; CI has no budget for them until they do, so this
// bench reports them against their goals.
// The floors: each goal path built again with whole feature folders left out (their modules
// replaced by exports of `undefined`), so the size the rest has is measured, not estimated.
// Run: `cd bench && node --import tsx bundleSize.bench.ts` (`BENCH_TOP`, default 12 modules per path).
import { build } from 'esbuild'
import { readFileSync } from 'node:fs'
import type { Metafile, Plugin } from 'esbuild'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'

const packages = fileURLToPath(new URL('../packages/', import.meta.url))
const core = (entry = '') => `${packages}core/src/${entry === '' ? '' : `${entry}/`}index.ts`
const react = `${packages}react/src/index.ts`
const top = Number(process.env.BENCH_TOP ?? 12)

/** The goals the issues name, in kB min+gzip. */
const goals: Record<string, number> = {
  'browser path (createBookingClient + feeds + observers + react)': 10,
  'server core (createBookingGuard + observers)': 25,
}

const paths: Record<string, string> = {
  'browser path (createBookingClient + feeds + observers + react)': [
    `export { createBookingClient, describeBookingError } from '${core()}'`,
    `export { createProviderFeed, createRoomFeed, createFeedManager, createWatchdog } from '${core('realtime')}'`,
    `export * from '${core('observers')}'`,
    `export * from '${react}'`,
  ].join('\n'),
  'server core (createBookingGuard + observers)': [
    `export { createBookingGuard } from '${core()}'`,
    `export * from '${core('observers')}'`,
  ].join('\n'),
  'core root entry (everything in it)': `export * from '${core()}'`,
  'retry + breaker + wrap': `export { createRetryPolicy, createCircuitBreaker, wrap } from '${core('resilience')}'`,
}

// The packages import each other by name: bundle those imports from the sources too.
const workspace: Plugin = {
  name: 'workspace',
  setup(plugin) {
    plugin.onResolve({ filter: /^@booking-guard\/core(\/\w+)?$/ }, ({ path }) => ({
      path: core(path.split('/')[2] ?? ''),
    }))
  },
}

/** Folders of `core/src` whose modules a floor leaves out, per goal path. */
const floors: Record<string, string[][]> = {
  'browser path (createBookingClient + feeds + observers + react)': [
    ['realtime'],
    ['realtime', 'resilience'],
    ['realtime', 'resilience', 'observers'],
  ],
  'server core (createBookingGuard + observers)': [
    ['realtime', 'observers'],
    ['realtime', 'observers', 'resilience'],
    ['realtime', 'observers', 'resilience', 'monitor', 'schema'],
  ],
}

/**
 * Replaces the modules of `folders` (not their `index.ts`, which re-export) by modules that export
 * the same names as `undefined`: what is left is the rest of the path, tree-shaken as before.
 */
function without(folders: readonly string[]): Plugin {
  return {
    name: 'without',
    setup(plugin) {
      plugin.onLoad({ filter: /core\/src\/\w+\/\w+\.ts$/ }, ({ path }) => {
        if (path.endsWith('/index.ts') || !folders.some((f) => path.includes(`/core/src/${f}/`))) {
          return undefined
        }
        const source = readFileSync(path, 'utf8')
        const values = new Set<string>()
        const declared = /^export (?:abstract )?(?:async )?(?:const|let|function|class) (\w+)/gm
        for (const [, name] of source.matchAll(declared)) values.add(name!)
        for (const [, list] of source.matchAll(/^export \{([^}]*)\}/gm)) {
          for (const item of list!.split(',')) {
            const name = item
              .trim()
              .split(/\s+as\s+/)
              .pop()!
            if (name !== '' && !name.startsWith('type ')) values.add(name)
          }
        }
        const types = [...source.matchAll(/^export (?:type|interface) (\w+)/gm)].map(([, t]) => t)
        const contents = [
          ...[...values].map((name) => `export const ${name}: any = undefined`),
          ...types.map((name) => `export type ${name} = any`),
        ].join('\n')
        return { contents, loader: 'ts' }
      })
    },
  }
}

const kB = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`

async function bundle(
  contents: string,
  plugins: Plugin[],
): Promise<{ code: Uint8Array; metafile: Metafile }> {
  const result = await build({
    stdin: { contents, resolveDir: packages, loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    metafile: true,
    external: ['zod', 'appwrite', 'node-appwrite', 'react', 'react-dom', 'react/jsx-runtime'],
    plugins: [workspace, ...plugins],
    logLevel: 'error',
  })
  return { code: result.outputFiles[0]!.contents, metafile: result.metafile }
}

for (const [name, contents] of Object.entries(paths)) {
  const { code, metafile } = await bundle(contents, [])
  const inputs = Object.values(metafile.outputs)[0]!.inputs
  const modules = Object.entries(inputs)
    .map(([file, { bytesInOutput }]) => [file.replace(/.*packages\//, ''), bytesInOutput] as const)
    .filter(([, bytes]) => bytes > 0)
    .sort((a, b) => b[1] - a[1])
  const byFolder = new Map<string, number>()
  for (const [file, bytes] of modules) {
    const folder = file.replace(/\/[^/]*$/, '')
    byFolder.set(folder, (byFolder.get(folder) ?? 0) + bytes)
  }
  const gzipped = gzipSync(code, { level: 9 }).length
  const goal = goals[name]
  const verdict =
    goal === undefined ? '' : `, goal ${goal} kB: ${gzipped <= goal * 1000 ? 'met' : 'NOT met'}`
  console.log(`\n${name}: ${kB(gzipped)} min+gzip (${kB(code.length)} min)${verdict}`)
  console.log(
    `  by folder: ${[...byFolder]
      .sort((a, b) => b[1] - a[1])
      .map(([folder, bytes]) => `${folder} ${kB(bytes)}`)
      .join(', ')}`,
  )
  for (const [file, bytes] of modules.slice(0, top)) {
    console.log(`  ${kB(bytes).padStart(8)}  ${file}`)
  }
}

for (const [name, cuts] of Object.entries(floors)) {
  console.log(`\n${name}, with whole folders of core/src left out (goal ${goals[name]} kB):`)
  for (const folders of cuts) {
    const { code } = await bundle(paths[name]!, [without(folders)])
    const gzipped = gzipSync(code, { level: 9 }).length
    console.log(`  without ${folders.join(', ')}: ${kB(gzipped)} min+gzip (${kB(code.length)} min)`)
  }
}
