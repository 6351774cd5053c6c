import { describe } from 'vitest'
import { runContractSuite } from './contract'
import { fakeTarget } from './targets'

// Target 1: the in-process fake (strict, so unknown databases and tables fail as on the server).
describe('contract.fake', () => {
  runContractSuite(fakeTarget())
})
