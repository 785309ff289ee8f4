/**
 * The REST benchmark's server process: the /rest/v1 service for one project behind the
 * test gateway (backend/rest/test-server.ts), in its own process so the load generator does
 * not share its event loop. Reads DATABASE_URL, REF and JWT_SECRET; prints its URL.
 */
import { connect } from '../../core/store/database.js';
import type { BackendProject } from '../../backend/contract.js';
import { signApiKey } from '../../backend/keys.js';
import { startRestTestServer } from '../../backend/rest/test-server.js';

const secret = process.env.JWT_SECRET!;
const ref = process.env.REF!;
const project: BackendProject = {
  ref,
  sql: connect(process.env.DATABASE_URL!, Number(process.env.POOL ?? 8)),
  keys: { jwtSecret: secret, anonKey: await signApiKey(secret, ref, 'anon'), serviceRoleKey: await signApiKey(secret, ref, 'service_role') },
  auth: { mailerAutoconfirm: true, allowAnonymousSignIns: false, disableSignup: false, siteUrl: 'http://localhost', jwtExpiry: 3600 },
  url: 'http://127.0.0.1',
};
const server = await startRestTestServer(project);
console.log(server.url);
