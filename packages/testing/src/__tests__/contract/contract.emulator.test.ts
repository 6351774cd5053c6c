import { describe } from 'vitest'
import { runContractSuite } from './contract'
import { emulatorTarget } from './targets'

// Target 2: the real `appwrite@27` web SDK (users, realtime) and `node-appwrite@27` (API key,
// schema) over HTTP and WebSocket to the emulator.
const target = await emulatorTarget()

describe('contract.emulator', () => {
  runContractSuite(target)
})
