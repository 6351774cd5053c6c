// The emulator runs on Node only (`node:http`, `ws`): it is published as its own entry,
// `@booking-guard/testing/emulator`, so the root entry stays browser-safe.
export { startAppwriteEmulator } from './startAppwriteEmulator'
export type {
  AppwriteEmulator,
  AppwriteEmulatorOptions,
  AppwriteEmulatorRealtime,
} from './startAppwriteEmulator'
export type { Caller, EmulatorTeamMembership, EmulatorUser, EmulatorUserOptions } from './auth'
export { formatLogEntry } from './log'
export type { EmulatorLogEntry } from './log'
export type { OutboxFilter, OutboxMessage, TokenKind } from '../fake/tokens'
export type { MembershipsPrivacy } from '../fake/teams'
export type {
  FunctionContext,
  FunctionDefinition,
  FunctionHandler,
  FunctionRegistration,
} from '../fake/functions'
