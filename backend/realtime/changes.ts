/**
 * postgres_changes: each project with subscribers has one feed, a logical replication stream of
 * its database (PostgreSQL's pgoutput plugin over the `supabase_realtime` publication, read with
 * pg-logical-replication) from a slot of its own (slots.ts). Changes are delivered per committed
 * transaction, in commit order, each to the members whose bindings and filters want it and whose
 * token lets them see the row (visibility.ts).
 *
 * A change committed after a member's join reply is never lost: the join waits until the feed's
 * slot exists and its stream runs, and members are matched when a change is delivered, which is
 * after it was committed.
 *
 * A replication connection that breaks (its backend terminated, the server restarted, the
 * network) is opened again on the same slot, with a growing pause, while members stay
 * subscribed: PostgreSQL sends again every transaction committed after the slot's confirmed
 * position, so no change the slot holds is lost, and one already delivered (whose
 * acknowledgement did not reach the server) is recognised by its commit LSN and not sent twice.
 * Only when the slot itself is gone, or reconnecting fails for RESUME_TRIES attempts, are the
 * members told that postgres_changes stopped.
 */
import { LogicalReplicationService, PgoutputPlugin, type Pgoutput } from 'pg-logical-replication';
import { connect, type Sql } from '../../core/store/database.js';
import type { BackendProject } from '../contract.js';
import { bindingWants } from './channel-config.js';
import { matchesFilter } from './filters.js';
import { sendOnChannel, subTopic, type Member } from './hub.js';
import { changeMessage, commitTimestamp, filterRow, type ChangeType, type RowChange } from './records.js';
import type { ChangeSubscriptions } from './session.js';
import { createSlot, dropSlot, MAX_RETAINED_WAL_BYTES, PUBLICATION, slotName, walLevel, walOverLimit, walRetained, walWarning } from './slots.js';
import { relationSecurity, visibleTo } from './visibility.js';

export interface ChangeFeedOptions {
  /** A superuser URL on the platform PostgreSQL: a replication connection needs that attribute. */
  serverUrl: string;
  log(line: string): void;
  /** How long a feed without subscribers lives on before its slot is dropped (rejoins are common). */
  lingerMs?: number;
  /** How often the slot's retained WAL is checked against maxRetainedWalBytes (default 60 s). */
  walCheckMs?: number;
  /** A slot holding more WAL than this is dropped with a warning (default MAX_RETAINED_WAL_BYTES, 1 GB). */
  maxRetainedWalBytes?: number;
}

type ProjectSource = () => Promise<BackendProject | undefined>;

/** Reconnection attempts after a broken stream, and the pauses between them (doubling, capped). */
const RESUME_TRIES = 10;
const RESUME_FIRST_PAUSE_MS = 200;
const RESUME_MAX_PAUSE_MS = 5_000;

/** A pg_lsn ("16/B374D848") as a number, to compare positions. */
export function lsnValue(lsn: string): bigint {
  const [high, low] = lsn.split('/');
  return (BigInt(`0x${high ?? '0'}`) << 32n) + BigInt(`0x${low ?? '0'}`);
}

function onDatabase(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

export class ChangeFeeds implements ChangeSubscriptions {
  private readonly feeds = new Map<string, ProjectFeed>();
  private readonly memberFeed = new Map<Member, ProjectFeed>();
  /** Feeds being stopped: a new feed of the project waits, or the old one could drop its new slot (same name). */
  private readonly stopping = new Map<string, Promise<void>>();

  constructor(private readonly options: ChangeFeedOptions) {}

  async add(member: Member, project: BackendProject, source: ProjectSource): Promise<void> {
    // A feed can stop while a member waits for it (its slot over the WAL limit, the project
    // disabled): the member then joins the project's next feed rather than a stopped one.
    for (let attempt = 0; ; attempt += 1) {
      const feed = await this.feedOf(project, source);
      await feed.ready(project);
      if (feed.isStopping && attempt < 2) continue;
      feed.members.add(member);
      feed.keep();
      this.memberFeed.set(member, feed);
      return;
    }
  }

  private async feedOf(project: BackendProject, source: ProjectSource): Promise<ProjectFeed> {
    let feed = this.feeds.get(project.ref);
    if (!feed) {
      await this.stopping.get(project.ref);
      feed = this.feeds.get(project.ref);
    }
    if (!feed) {
      feed = new ProjectFeed(project.ref, source, this.options, (f) => this.retire(f));
      this.feeds.set(project.ref, feed);
    }
    feed.source = source;
    return feed;
  }

  remove(member: Member): void {
    const feed = this.memberFeed.get(member);
    if (!feed) return;
    this.memberFeed.delete(member);
    feed.members.delete(member);
    if (feed.members.size === 0) feed.lingerThenStop();
  }

  /** Takes a stopping feed off the map; its stop() is awaited by the project's next feed. */
  private retire(feed: ProjectFeed): Promise<void> {
    if (this.feeds.get(feed.ref) === feed) this.feeds.delete(feed.ref);
    const stopped = feed.stop().finally(() => {
      if (this.stopping.get(feed.ref) === stopped) this.stopping.delete(feed.ref);
    });
    this.stopping.set(feed.ref, stopped);
    return stopped;
  }

  /** Stops the project's feed now, whatever its members (its backend was disabled): its slot is dropped. */
  async stopProject(ref: string): Promise<void> {
    const feed = this.feeds.get(ref);
    if (feed) await this.retire(feed);
    else await this.stopping.get(ref);
  }

  /** Feeds running now, by project (tests and the dashboard). */
  running(): string[] {
    return [...this.feeds.keys()];
  }

  async close(): Promise<void> {
    const feeds = [...this.feeds.values()];
    this.feeds.clear();
    await Promise.all([...feeds.map((f) => f.stop()), ...this.stopping.values()]);
  }
}

class ProjectFeed {
  readonly members = new Set<Member>();
  private started: Promise<void> | undefined;
  private service: LogicalReplicationService | undefined;
  private admin: Sql | undefined;
  private slot = '';
  private stopping = false;
  private pending: Pgoutput.Message[] = [];
  private commitTime = 0n;
  /** The commit LSN of the newest transaction handed to delivery; an older or equal one sent again is skipped. */
  private deliveredLsn = 0n;
  private currentLsn = 0n;
  /** The current transaction was delivered before a reconnection: its messages are dropped. */
  private replayed = false;
  private url = '';
  private readonly types = new Map<number, string>();
  private chain: Promise<void> = Promise.resolve();
  private lingerTimer: NodeJS.Timeout | undefined;
  private walTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly ref: string,
    public source: ProjectSource,
    private readonly options: ChangeFeedOptions,
    /** Takes the feed off its project and stops it. */
    private readonly retire: (feed: ProjectFeed) => Promise<void>,
  ) {}

  ready(project: BackendProject): Promise<void> {
    this.started ??= this.start(project).catch(async (err: unknown) => {
      await this.retire(this);
      throw err;
    });
    return this.started;
  }

  keep(): void {
    clearTimeout(this.lingerTimer);
    this.lingerTimer = undefined;
  }

  lingerThenStop(): void {
    this.keep();
    this.lingerTimer = setTimeout(() => {
      if (this.members.size === 0) void this.retire(this);
    }, this.options.lingerMs ?? 10_000);
    this.lingerTimer.unref();
  }

  private async start(project: BackendProject): Promise<void> {
    const level = await walLevel(project.sql);
    if (level !== 'logical') {
      throw new Error(`the PostgreSQL server runs with wal_level=${level}; postgres_changes needs wal_level=logical `
        + '(the embedded server sets it; on your own server set it and restart PostgreSQL)');
    }
    const [row] = await project.sql`SELECT current_database() AS db`;
    this.url = onDatabase(this.options.serverUrl, String(row!.db));
    this.admin = connect(this.url, 1);
    this.slot = slotName(String(row!.db));
    await createSlot(this.admin, this.slot);
    await this.openStream();
    this.walTimer = setInterval(() => void this.checkWal(), this.options.walCheckMs ?? 60_000);
    this.walTimer.unref();
  }

  /** Streams the slot from its confirmed position; resolves once streaming runs. */
  private async openStream(): Promise<void> {
    const service = new LogicalReplicationService({ connectionString: this.url }, { acknowledge: { auto: true, timeoutSeconds: 10 } });
    this.service = service;
    service.on('data', (_lsn: string, message: Pgoutput.Message) => this.receive(message));
    const running = new Promise<void>((resolve, reject) => {
      service.once('start', () => resolve());
      service.subscribe(new PgoutputPlugin({ protoVersion: 1, publicationNames: [PUBLICATION] }), this.slot).then(
        () => this.lost(service, new Error('the replication stream ended')),
        (err: unknown) => {
          reject(err as Error);
          this.lost(service, err);
        },
      );
    });
    service.on('error', () => {}); // subscribe() rejects with the same error; handled there.
    await running;
  }

  /** A broken stream, seen once per service: a started one is resumed, one that never ran fails its caller. */
  private lost(service: LogicalReplicationService, err: unknown): void {
    if (this.stopping || this.service !== service || this.resuming) return;
    if (!this.walTimer) return; // still starting: start() rejects and the feed retires.
    this.resuming = this.resume(err).finally(() => { this.resuming = undefined; });
  }

  private resuming: Promise<void> | undefined;

  private async resume(cause: unknown): Promise<void> {
    this.options.log(`realtime ${this.ref}: replication stream broke (${String((cause as Error)?.message ?? cause)}); resuming from slot ${this.slot}`);
    let pause = RESUME_FIRST_PAUSE_MS;
    for (let attempt = 1; attempt <= RESUME_TRIES && !this.stopping; attempt += 1) {
      await new Promise((r) => setTimeout(r, pause));
      pause = Math.min(pause * 2, RESUME_MAX_PAUSE_MS);
      if (this.stopping) return;
      const exists = await this.admin!`SELECT 1 FROM pg_replication_slots WHERE slot_name = ${this.slot}`.then((r) => r.length > 0, () => undefined);
      if (exists === false) return this.ended(new Error(`replication slot ${this.slot} is gone, so changes since the break are lost; subscribe again`));
      const previous = this.service;
      try {
        await previous?.destroy().catch(() => {});
        await this.openStream();
        this.options.log(`realtime ${this.ref}: replication stream resumed (attempt ${attempt})`);
        return;
      } catch (err) {
        cause = err;
      }
    }
    this.ended(new Error(`the replication stream could not be resumed: ${String((cause as Error)?.message ?? cause)}`));
  }

  /** Runs synchronously for each decoded message, before the next one is parsed. */
  private receive(message: Pgoutput.Message): void {
    switch (message.tag) {
      case 'relation':
        // Values stay PostgreSQL's text: records.ts converts them by type name as Supabase sends them.
        for (const column of message.columns) column.parser = (text: unknown) => text;
        this.enqueue(() => this.learnTypes(message.columns.map((c) => c.typeOid)));
        return;
      case 'begin': {
        this.pending = [];
        this.commitTime = message.commitTime as bigint;
        this.currentLsn = lsnValue(message.commitLsn ?? '0/0');
        this.replayed = this.currentLsn !== 0n && this.currentLsn <= this.deliveredLsn;
        return;
      }
      case 'insert':
      case 'update':
      case 'delete':
        if (!this.replayed) this.pending.push(message);
        return;
      case 'commit': {
        const batch = this.pending;
        const time = commitTimestamp(this.commitTime);
        this.pending = [];
        if (this.replayed) return;
        // Only a whole transaction counts as delivered: one cut by a break comes again, whole.
        this.deliveredLsn = this.currentLsn;
        this.enqueue(() => this.deliver(batch, time));
        return;
      }
      default:
    }
  }

  private enqueue(step: () => Promise<void>): void {
    this.chain = this.chain.then(step).catch((err: unknown) => this.options.log(`realtime ${this.ref}: delivering changes failed: ${String(err)}`));
  }

  private async learnTypes(oids: number[]): Promise<void> {
    const unknown = [...new Set(oids)].filter((oid) => !this.types.has(oid));
    if (unknown.length === 0 || !this.admin) return;
    const rows = await this.admin`SELECT oid::int AS oid, typname FROM pg_type WHERE oid = ANY(${unknown}::oid[])`;
    for (const r of rows) this.types.set(Number(r.oid), String(r.typname));
  }

  private toRowChange(message: Pgoutput.MessageInsert | Pgoutput.MessageUpdate | Pgoutput.MessageDelete, time: string): RowChange {
    const { relation } = message;
    const type = message.tag.toUpperCase() as ChangeType;
    return {
      type, schema: relation.schema, table: relation.name, relationOid: relation.relationOid,
      columns: relation.columns.map((c) => ({ name: c.name, type: this.types.get(c.typeOid) ?? String(c.typeOid) })),
      keyColumns: relation.keyColumns,
      record: message.tag === 'delete' ? null : message.new,
      old: message.tag === 'insert' ? null : message.old ?? message.key,
      commitTimestamp: time,
    };
  }

  private async deliver(batch: Pgoutput.Message[], time: string): Promise<void> {
    if (this.members.size === 0 || batch.length === 0) return;
    const project = await this.source();
    if (!project) return;
    for (const message of batch) {
      if (message.tag !== 'insert' && message.tag !== 'update' && message.tag !== 'delete') continue;
      await this.deliverOne(project, this.toRowChange(message, time));
    }
  }

  private async deliverOne(project: BackendProject, change: RowChange): Promise<void> {
    const row = filterRow(change);
    const targets: [Member, number[]][] = [];
    for (const member of this.members) {
      const ids = member.config.changes
        .filter((b) => bindingWants(b, change.type, change.schema, change.table) && matchesFilter(b.conditions, row))
        .map((b) => b.id);
      if (ids.length > 0) targets.push([member, ids]);
    }
    if (targets.length === 0) return;
    const rls = await relationSecurity(project.sql, change.relationOid);
    const data = changeMessage(change, rls && change.type === 'DELETE');
    // One visibility check per distinct caller (role and claims), however many members share it.
    const checks = new Map<string, Promise<boolean>>();
    const visible = await Promise.all(targets.map(([member]) => {
      const key = `${member.caller.role}:${JSON.stringify(member.caller.claims)}`;
      let check = checks.get(key);
      if (!check) checks.set(key, (check = visibleTo(project.sql, member.caller, change, rls)));
      return check;
    }));
    targets.forEach(([member, ids], i) => {
      if (visible[i]) sendOnChannel(member, 'postgres_changes', { ids, data });
    });
  }

  /** DevFlow's own cap on the WAL a slot holds back, for servers without max_slot_wal_keep_size. */
  private async checkWal(): Promise<void> {
    if (!this.admin || this.stopping) return;
    const limit = this.options.maxRetainedWalBytes ?? MAX_RETAINED_WAL_BYTES;
    const retained = await walRetained(this.admin, this.slot).catch(() => undefined);
    if (!walOverLimit(retained, limit) || this.stopping) return;
    this.options.log(walWarning(this.ref, this.slot, retained!, limit));
    this.ended(new Error('postgres_changes fell too far behind the database and stopped; subscribe again'));
  }

  /** The stream stopped unexpectedly: members are told (a `system` error), the slot is dropped. */
  private ended(err: unknown): void {
    if (this.stopping) return;
    this.options.log(`realtime ${this.ref}: replication stream stopped: ${String(err)}`);
    for (const member of this.members) {
      sendOnChannel(member, 'system', { extension: 'postgres_changes', status: 'error', message: String((err as Error)?.message ?? err), channel: subTopic(member.topic) });
    }
    void this.retire(this);
  }

  private stopped: Promise<void> | undefined;

  get isStopping(): boolean {
    return this.stopping;
  }

  stop(): Promise<void> {
    return (this.stopped ??= this.shutDown());
  }

  private async shutDown(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.lingerTimer);
    clearInterval(this.walTimer);
    await this.service?.destroy().catch(() => {});
    if (this.admin) {
      if (this.slot) await dropSlot(this.admin, this.slot).catch((err: unknown) => this.options.log(`realtime ${this.ref}: dropping slot ${this.slot} failed: ${String(err)}`));
      await this.admin.end({ timeout: 2 });
    }
  }
}
