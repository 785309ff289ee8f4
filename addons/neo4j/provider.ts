/**
 * The `neo4j` add-on (issue 21): a Neo4j server the operator runs and names
 * (`--url bolt://graph.internal:7687 --user neo4j --password …`). DevFlow talks to it through
 * Neo4j's HTTP API (transactional Cypher endpoint, `POST /db/{db}/tx/commit`, basic auth; on the
 * Bolt host's port 7474 unless `--http-url` says otherwise), so it needs no Bolt driver:
 * - at create time it checks the server answers and takes the credentials (a 400 otherwise);
 * - on a server with several databases (Enterprise) it runs `CREATE DATABASE app-<app> IF NOT
 *   EXISTS` in `system` and drops it when the add-on goes;
 * - on a single-database server (Community answers UnsupportedAdministrationCommand) apps share
 *   the default database `neo4j`: the documented fallback, shown in `devflow addons` as the plan.
 * Apps get NEO4J_URL (the URL as given, for their Bolt driver), NEO4J_USER, NEO4J_PASSWORD and
 * NEO4J_DATABASE. The password is sealed in the store and masked in every view.
 */
import { InvalidInputError } from '../../core/errors.js';
import type { AddonApp, AddonDetails, AddonOptions, AddonProvider, BackupResult, Provisioned, StoredAddon } from '../provider.js';
import { callServer, parseServerUrl, refuseUnknownOptions } from '../external/reach.js';
import { assertAccepted, createDatabaseOutcome, databaseNameFor, httpEndpoint, type Neo4jError } from './plan.js';

const OPTIONS = ['url', 'user', 'password', 'http-url'] as const;
const DEFAULT_DATABASE = 'neo4j';

interface Neo4jSettings {
  url: string;
  httpUrl: string;
  user: string;
  database: string;
  /** True when DevFlow made the database (and so drops it). */
  ownDatabase: boolean;
}

export class Neo4jProvider implements AddonProvider {
  readonly kind = 'neo4j';
  readonly previews = 'external' as const;
  readonly summary = "Neo4j on a server you run: NEO4J_URL and credentials, a database per app where the server has several";
  readonly options = OPTIONS;

  async provision(app: AddonApp, options: AddonOptions): Promise<Provisioned> {
    refuseUnknownOptions(this.kind, options, OPTIONS);
    const url = parseServerUrl(options.url, 'url', ['bolt', 'bolt+s', 'bolt+ssc', 'neo4j', 'neo4j+s', 'neo4j+ssc', 'http', 'https'], 'bolt://graph.internal:7687');
    const httpUrl = options['http-url'] === undefined ? undefined : parseServerUrl(options['http-url'], 'http-url', ['http', 'https'], 'http://graph.internal:7474');
    const user = options.user ?? '';
    const password = options.password ?? '';
    if (user === '' || password === '') throw new InvalidInputError('name the credentials: --user neo4j --password <password>');
    const endpoint = httpEndpoint(url, httpUrl);
    const settings: Neo4jSettings = { url: url.toString(), httpUrl: endpoint, user, database: DEFAULT_DATABASE, ownDatabase: false };
    // The login is checked on the default database before anything is made.
    await this.cypher(settings, password, DEFAULT_DATABASE, 'RETURN 1');
    const database = databaseNameFor(app.name);
    const outcome = createDatabaseOutcome(await this.cypher(settings, password, 'system', `CREATE DATABASE \`${database}\` IF NOT EXISTS WAIT`, true));
    if (typeof outcome === 'object') throw new InvalidInputError(`neo4j at ${endpoint} could not create database ${database}: ${outcome.fail}`);
    if (outcome === 'created') Object.assign(settings, { database, ownDatabase: true });
    return { settings: { ...settings }, secret: password };
  }

  bindEnv(addon: StoredAddon): Record<string, string> {
    const s = addon.settings as unknown as Neo4jSettings;
    return { NEO4J_URL: s.url, NEO4J_USER: s.user, NEO4J_PASSWORD: addon.secret ?? '', NEO4J_DATABASE: s.database };
  }

  describe(addon: StoredAddon): AddonDetails {
    const s = addon.settings as unknown as Neo4jSettings;
    return {
      plan: s.ownDatabase ? `database ${s.database} on your server` : 'the shared default database (the server has one database)',
      connection: `${s.url} (user ${s.user}, password ****)`,
      info: { database: s.database, 'http api': s.httpUrl },
    };
  }

  backup(): Promise<BackupResult> {
    return Promise.reject(new InvalidInputError("a neo4j add-on's data lives on your server: back it up there (neo4j-admin database dump)"));
  }

  async deprovision(addon: StoredAddon): Promise<void> {
    const s = addon.settings as unknown as Neo4jSettings;
    if (!s.ownDatabase) return;
    const errors = await this.cypher(s, addon.secret ?? '', 'system', `DROP DATABASE \`${s.database}\` IF EXISTS`, true);
    if (errors.length > 0) throw new InvalidInputError(`neo4j at ${s.httpUrl} could not drop ${s.database}: ${errors[0]!.message}`);
  }

  /** One statement in one transaction; returns Neo4j's errors when `tolerate`, else throws on any. */
  private async cypher(s: Neo4jSettings, password: string, database: string, statement: string, tolerate = false): Promise<Neo4jError[]> {
    const where = `neo4j at ${s.httpUrl}`;
    const answer = await callServer(where, `${s.httpUrl}/db/${encodeURIComponent(database)}/tx/commit`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${s.user}:${password}`).toString('base64')}`,
        'content-type': 'application/json', accept: 'application/json',
      },
      body: JSON.stringify({ statements: [{ statement }] }),
    });
    const errors = (answer.body as { errors?: Neo4jError[] } | undefined)?.errors ?? [];
    assertAccepted(answer.status, errors, where);
    if (!tolerate && errors.length > 0) throw new InvalidInputError(`${where} refused ${statement}: ${errors[0]!.message}`);
    return errors;
  }
}
