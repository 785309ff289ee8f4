/**
 * Starts the one real PostgreSQL the test run shares (the same embedded server `devflow up`
 * uses), or uses DEVFLOW_TEST_DATABASE_URL when the caller provides a server.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../../core/embedded-postgres/embedded.js';
import { compileCli } from './compiled-cli.js';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  await compileCli();
  const given = process.env.DEVFLOW_TEST_DATABASE_URL;
  if (given) {
    project.provide('postgresUrl', given);
    return async () => {};
  }
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'devflow-test-pg-'));
  await fs.chmod(dir, 0o755);
  const cluster = await startEmbeddedPostgres(dir, () => {});
  project.provide('postgresUrl', cluster.url);
  return async () => {
    await cluster.stop();
    await fs.rm(dir, { recursive: true, force: true });
  };
}
