#!/usr/bin/env node
// Builds the workspace packages named on the command line (directories under packages/) when
// their `dist` is missing or older than their sources, so a demo or example started twice
// builds once (and a `pnpm build` counts). A package's build is current when the newest file of
// `dist/` is newer than every file of `src/`, its package.json, its tsup/tsconfig files and the
// shared build preset (scripts/tsupPackage.ts).
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')

/** The newest modification time of `path` (a file, or every file under a directory). */
function newest(path) {
  if (!existsSync(path)) return 0
  const stat = statSync(path)
  if (!stat.isDirectory()) return stat.mtimeMs
  let latest = 0
  for (const entry of readdirSync(path)) latest = Math.max(latest, newest(join(path, entry)))
  return latest
}

const stale = process.argv.slice(2).filter((name) => {
  const dir = join(root, 'packages', name)
  if (!existsSync(join(dir, 'package.json'))) {
    console.error(`ensure-built: no package at packages/${name}`)
    process.exit(2)
  }
  const built = newest(join(dir, 'dist'))
  const sources = Math.max(
    ...['src', 'package.json', 'tsup.config.ts', 'tsconfig.json', 'tsconfig.build.json'].map((f) =>
      newest(join(dir, f)),
    ),
    // The build preset every package's tsup.config.ts uses.
    newest(join(root, 'scripts', 'tsupPackage.ts')),
  )
  return built === 0 || built < sources
})

if (stale.length > 0) {
  console.log(
    `building ${stale.map((name) => `packages/${name}`).join(', ')} (sources changed since the last build)…`,
  )
  const filters = stale.flatMap((name) => ['--filter', `./packages/${name}`])
  const pnpm = process.env.npm_execpath
  const [command, args] =
    pnpm !== undefined && /pnpm/.test(pnpm)
      ? [process.execPath, [pnpm, ...filters, 'run', 'build']]
      : ['npx', ['-y', 'pnpm@10.34.8', ...filters, 'run', 'build']]
  const run = spawnSync(command, args, { cwd: root, stdio: 'inherit' })
  if (run.status !== 0) process.exit(run.status ?? 1)
}
