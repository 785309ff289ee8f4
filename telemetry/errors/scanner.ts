/**
 * The stderr scanner (issue 18): every few seconds it reads the runtime log lines stored since
 * its last pass (the collector's table, scheduler/logs/), finds uncaught exceptions in each
 * instance's output (stack-extract.ts) and records them in their groups (store.ts). Its position
 * is kept in the store with the groups it updated, in one transaction, so each exception counts
 * once across restarts. Lines are read only once they are a few seconds old, so a trace the
 * collector stores over two passes is read whole.
 */
import { errorMessage } from '../../core/errors.js';
import type { Sql } from '../../core/store/database.js';
import { runPeriodically, type Periodic } from '../../core/periodic.js';
import { extractExceptions, type OutputLine } from './stack-extract.js';
import { recordException } from './store.js';

const READER = 'errors';
const SCAN_EVERY_MS = 5000;

export interface ScannerOptions {
  sql: Sql;
  log(line: string): void;
  /** How old a line must be before it is read (default 2 s). */
  settleMs?: number;
  /** Most lines read in one pass (default 5000). */
  batch?: number;
}

interface Row {
  id: string;
  instance: string;
  release: number;
  line: string;
  at: Date;
  app: string;
}

export class ErrorScanner {
  private loop: Periodic | undefined;
  private lastError = '';

  constructor(private readonly options: ScannerOptions) {}

  start(): void {
    this.loop = runPeriodically(() => this.pass().then(() => undefined), SCAN_EVERY_MS);
  }

  async stop(): Promise<void> {
    await this.loop?.stop();
  }

  /** One pass; returns how many exceptions it recorded. */
  async pass(now = new Date()): Promise<number> {
    try {
      const recorded = await this.scan(now);
      this.lastError = '';
      return recorded;
    } catch (err) {
      const message = errorMessage(err);
      if (message !== this.lastError) this.options.log(`error scanner: ${message}`);
      this.lastError = message;
      return 0;
    }
  }

  private async scan(now: Date): Promise<number> {
    const { sql } = this.options;
    const [cursor] = await sql<{ last_id: string }[]>`SELECT last_id FROM telemetry_log_readers WHERE name = ${READER}`;
    const rows = await sql<Row[]>`
      SELECT l.id, l.instance, l.release, l.line, l.at, a.name AS app
      FROM runtime_logs l JOIN apps a ON a.id = l.app_id
      WHERE l.id > ${cursor?.last_id ?? '0'} ORDER BY l.id LIMIT ${this.options.batch ?? 5000}`;
    const settled = takeSettled(rows, now.getTime() - (this.options.settleMs ?? 2000));
    if (settled.length === 0) return 0;
    const found = exceptionsByInstance(settled);
    await sql.begin(async (tx) => {
      for (const e of found) await recordException(tx as unknown as Sql, e); // the house's cast: stores take Sql
      await tx`
        INSERT INTO telemetry_log_readers (name, last_id) VALUES (${READER}, ${settled.at(-1)!.id})
        ON CONFLICT (name) DO UPDATE SET last_id = EXCLUDED.last_id, updated_at = now()`;
    });
    return found.length;
  }
}

/** The rows before the first one that is too recent to be sure its trace is complete. */
function takeSettled(rows: Row[], before: number): Row[] {
  const first = rows.findIndex((r) => r.at.getTime() > before);
  return first === -1 ? rows : rows.slice(0, first);
}

function exceptionsByInstance(rows: Row[]) {
  const byInstance = new Map<string, Row[]>();
  for (const row of rows) {
    const lines = byInstance.get(row.instance) ?? [];
    lines.push(row);
    byInstance.set(row.instance, lines);
  }
  return [...byInstance.values()].flatMap((lines) => {
    const output: OutputLine[] = lines.map((l) => ({ text: l.line, at: l.at }));
    return extractExceptions(output).map((e) => ({ ...e, app: lines[0]!.app, release: lines[0]!.release }));
  });
}

export function startErrorScanner(options: ScannerOptions): ErrorScanner {
  const scanner = new ErrorScanner(options);
  scanner.start();
  return scanner;
}
