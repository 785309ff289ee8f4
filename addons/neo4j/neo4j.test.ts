/**
 * The neo4j add-on against a stand-in of Neo4j's HTTP API (tests/support/neo4j-standin.ts): no
 * Neo4j server can run on these machines, so the stand-in answers as Neo4j 5 does for the calls
 * the provider makes. Checked: a per-app database on a multi-database server (made, bound, dropped),
 * the shared-database fallback on a single-database server, refused credentials and an
 * unreachable server as 400s with their reason, and the password masked in what users see.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAppName } from '../../core/names.js';
import { closedPort } from '../../tests/support/closed-port.js';
import { startNeo4jStandIn, type Neo4jStandIn } from '../../tests/support/neo4j-standin.js';
import type { StoredAddon } from '../provider.js';
import { Neo4jProvider } from './provider.js';

const app = { id: 1, name: parseAppName('shop') };
const provider = new Neo4jProvider();
let enterprise: Neo4jStandIn;
let community: Neo4jStandIn;

beforeAll(async () => {
  enterprise = await startNeo4jStandIn({ user: 'neo4j', password: 's3cret-pass', edition: 'enterprise' });
  community = await startNeo4jStandIn({ user: 'neo4j', password: 's3cret-pass', edition: 'community' });
});

afterAll(async () => {
  await enterprise?.close();
  await community?.close();
});

const stored = (provisioned: Awaited<ReturnType<Neo4jProvider['provision']>>): StoredAddon =>
  ({ ...provisioned, id: 1, app, kind: 'neo4j', name: 'neo4j-abc123', createdAt: new Date() });

const options = (standIn: Neo4jStandIn, password = 's3cret-pass') => ({
  url: 'bolt://graph.internal:7687', 'http-url': standIn.url, user: 'neo4j', password,
});

describe('the neo4j add-on', () => {
  it('makes a database per app on a multi-database server, binds its variables, masks the password and drops it when destroyed', async () => {
    const addon = stored(await provider.provision(app, options(enterprise)));
    expect(enterprise.databases.has('app-shop')).toBe(true);
    expect(provider.bindEnv(addon)).toEqual({
      NEO4J_URL: 'bolt://graph.internal:7687', NEO4J_USER: 'neo4j', NEO4J_PASSWORD: 's3cret-pass', NEO4J_DATABASE: 'app-shop',
    });
    const shown = provider.describe(addon);
    expect(shown).toEqual({
      plan: 'database app-shop on your server',
      connection: 'bolt://graph.internal:7687 (user neo4j, password ****)',
      info: { database: 'app-shop', 'http api': enterprise.url },
    });
    expect(JSON.stringify(addon.settings)).not.toContain('s3cret-pass');
    await provider.deprovision(addon);
    expect(enterprise.databases.has('app-shop')).toBe(false);
  });

  it('falls back to the shared default database on a single-database (Community) server, and leaves it when destroyed', async () => {
    const addon = stored(await provider.provision(app, options(community)));
    expect(provider.bindEnv(addon).NEO4J_DATABASE).toBe('neo4j');
    expect(provider.describe(addon).plan).toBe('the shared default database (the server has one database)');
    await provider.deprovision(addon);
    expect(community.statements.filter((s) => s.startsWith('DROP'))).toEqual([]);
  });

  it('refuses wrong credentials, an unreachable server and missing options, with what to fix', async () => {
    await expect(provider.provision(app, options(enterprise, 'wrong'))).rejects.toMatchObject({
      code: 'invalid_input', message: `neo4j at ${enterprise.url} refused the credentials: check --user and --password`,
    });
    const closed = await closedPort();
    await expect(provider.provision(app, { ...options(enterprise), 'http-url': `http://127.0.0.1:${closed}` })).rejects.toMatchObject({
      code: 'invalid_input', message: `cannot reach neo4j at http://127.0.0.1:${closed}: connection refused`,
    });
    await expect(provider.provision(app, { user: 'neo4j', password: 'x' })).rejects.toThrow('name the server: --url bolt://graph.internal:7687');
    await expect(provider.provision(app, { url: 'bolt://graph.internal:7687' })).rejects.toThrow('name the credentials: --user neo4j --password <password>');
    await expect(provider.provision(app, { ...options(enterprise), colour: 'red' })).rejects.toThrow(/takes --url, --user, --password, --http-url \(got --colour\)/);
  });
});
