// Bundle weight of the paths an app takes through the packages, from the sources, and what
// dominates each (esbuild metafile: minified bytes per module before gzip). The budgets CI checks
// are in `.size-limit.json` (built packages). The browser path and the server core have goals
// (10 and 25 kB min+gzip) they do not meet yet; CI has no budget for them until they do, so this
// bench reports them against their goals.
// Run: `cd bench && node --import tsx bundleSize.bench.ts` (`BENCH_TOP`, default 12 modules per path).
import { build } from 'esbuild'
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

const kB = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`

for (const [name, contents] of Object.entries(paths)) {
  const result = await build({
    stdin: { contents, resolveDir: packages, loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    metafile: true,
    external: ['zod', 'appwrite', 'node-appwrite', 'react', 'react-dom', 'react/jsx-runtime'],
    plugins: [workspace],
    logLevel: 'error',
  })
  const code = result.outputFiles[0]!.contents
  const metafile: Metafile = result.metafile
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
