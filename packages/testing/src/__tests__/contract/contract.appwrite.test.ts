import { describe, expect, it } from 'vitest'
import { runContractSuite } from './contract'
import { appwriteEnv, appwriteTarget } from './targets'

// Target 3: a real Appwrite (≥ 1.8, TablesDB and transactions). None can run on these machines
// (see /work/shared/research/appwrite-protocol.md), so this runs only when APPWRITE_ENDPOINT,
// APPWRITE_PROJECT and APPWRITE_API_KEY are set, and says why when it does not. The key needs the
// scopes databases, tables, columns, indexes, rows (read + write) and users (read + write): the
// target makes a throwaway database and throwaway users, signs them in with `Users.createJWT`,
// and deletes both afterwards.
const env = appwriteEnv()

if (!env) {
  console.info(
    'contract.appwrite.test.ts: skipped: set APPWRITE_ENDPOINT, APPWRITE_PROJECT and APPWRITE_API_KEY to run the contract suite against a real Appwrite',
  )
}

describe.skipIf(!env)('contract.appwrite', () => {
  it('should have a real Appwrite to run against', () => {
    expect(env?.endpoint).toMatch(/^https?:\/\//)
  })
  if (env) runContractSuite(appwriteTarget(env))
})
