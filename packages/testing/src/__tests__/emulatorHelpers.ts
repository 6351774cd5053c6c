// Helpers the emulator's tests share (kept apart from helpers.ts so the fake's tests do not load
// node-appwrite).
import { Client } from 'node-appwrite'
import type { AppwriteEmulator } from '../emulator'

/** A node-appwrite client on `emulator`, signed in with its API key. */
export function serverClient(emulator: AppwriteEmulator): Client {
  return new Client()
    .setEndpoint(emulator.endpoint)
    .setProject(emulator.projectId)
    .setKey(emulator.apiKey)
}
