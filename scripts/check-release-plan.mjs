#!/usr/bin/env node
// Checks the release the pending changesets would make: no published package may get a bigger
// bump than the biggest one a changeset asks for. Changesets raises a package on its own when a
// dependency rule says so (a peer dependency leaving its range in 0.x makes the dependent major,
// and the fixed group then takes every package to 1.0.0), which nobody would see before
// `changeset version` ran. Run: `node scripts/check-release-plan.mjs` (CI runs it).
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const order = ['none', 'patch', 'minor', 'major']

const dir = mkdtempSync(join(tmpdir(), 'release-plan-'))
const output = join(dir, 'plan.json')
try {
  const status = spawnSync('npx', ['changeset', 'status', '--output', output], {
    cwd: root,
    encoding: 'utf8',
    shell: process.platform === 'win32',
  })
  if (status.status !== 0) {
    console.error(
      `check-release-plan: \`changeset status\` failed:\n${status.stdout}${status.stderr}`,
    )
    process.exit(1)
  }
  const plan = JSON.parse(readFileSync(output, 'utf8'))
  const asked = Math.max(
    0,
    ...plan.changesets.flatMap((changeset) =>
      changeset.releases.map((release) => order.indexOf(release.type)),
    ),
  )
  const problems = plan.releases.filter((release) => order.indexOf(release.type) > asked)
  for (const release of plan.releases.filter((r) => r.type !== 'none')) {
    console.log(`${release.name}: ${release.oldVersion} -> ${release.newVersion} (${release.type})`)
  }
  if (problems.length > 0) {
    console.error(
      `check-release-plan: the changesets ask for at most a ${order[asked]} release, but ${problems
        .map((release) => `${release.name} would get a ${release.type} one (${release.newVersion})`)
        .join(', ')}. A dependency rule raised it: look for a peer dependency between workspace` +
        ' packages (in 0.x every minor bump leaves a `^` range, which makes the dependent major).',
    )
    process.exit(1)
  }
} finally {
  rmSync(dir, { recursive: true, force: true })
}
