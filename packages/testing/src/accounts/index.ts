// The Account and Users features the root entry leaves out (email flows and their outbox, the
// Users service with its list queries and imported password hashes), browser-safe like the root: `installAccountFeatures(fake)`
// adds them to a fake. Their own entry keeps bcrypt, argon2 and the email texts out of a bundle
// that only needs the fake's data services.
export { installAccountFeatures } from '../fake/accountFeatures'
export { FakeUsers } from '../fake/users'
export type { OutboxFilter, OutboxMessage, TokenKind } from '../fake/tokens'
