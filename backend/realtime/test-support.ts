/**
 * Realtime's tests: the backend of test-backend.ts on a fresh control database of the test run's
 * PostgreSQL (tests/support/postgres.ts).
 */
import { createTestDatabase } from '../../tests/support/postgres.js';
import { startRealtimeBackend, type RealtimeBackendOptions, type RealtimeTestBackend } from './test-backend.js';

export type { RealtimeTestBackend } from './test-backend.js';

export async function startRealtimeTestBackend(options: RealtimeBackendOptions = {}): Promise<RealtimeTestBackend> {
  return startRealtimeBackend(await createTestDatabase(), options);
}

/** Resolves once `check` holds, polling; rejects after `ms` with `what` in the message. */
export async function waitUntil(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
