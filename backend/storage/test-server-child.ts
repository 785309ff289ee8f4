/**
 * The stand-in gateway with the storage service in a process of its own, so a test or bench can
 * measure the server's memory apart from the client's. Reads its project from the environment
 * (STORAGE_TEST_PROJECT, JSON) and prints `{"url": ...}` once listening.
 */
import { connect } from '../../core/store/database.js';
import type { BackendProject, ProjectKeys } from '../contract.js';
import { startStorageTestServer } from './test-server.js';

export interface ChildProject {
  ref: string;
  ownerUrl: string;
  keys: ProjectKeys;
  root: string;
}

const config = JSON.parse(process.env.STORAGE_TEST_PROJECT ?? '{}') as ChildProject;
const project: BackendProject = {
  ref: config.ref, sql: connect(config.ownerUrl, 4), keys: config.keys, auth: { mailerAutoconfirm: true, allowAnonymousSignIns: false, disableSignup: false, siteUrl: 'http://localhost', jwtExpiry: 3600 }, url: 'http://127.0.0.1',
};
const server = await startStorageTestServer(project, { root: config.root });
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
process.on('SIGTERM', () => {
  void server.close().then(() => project.sql.end({ timeout: 2 })).then(() => process.exit(0));
});
