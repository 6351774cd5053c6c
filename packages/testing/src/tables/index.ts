// The TablesDB / Databases admin features the root entry leaves out (inline `columns` and
// `indexes` of `createTable`, checked with the server's messages), browser-safe like the root:
// `installTableFeatures(fake)` adds them to a fake.
export { installTableFeatures } from '../fake/tableFeatures'
