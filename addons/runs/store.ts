/** The `one_off_runs` table (migration 040): `devflow run` and cron runs with their output tail. */
import type { Sql } from '../../core/store/database.js';
import type { RunState } from './states.js';

export interface RunRecord {
  id: number;
  app: string;
  release: number;
  command: string;
  state: RunState;
  exitCode: number | null;
  detached: boolean;
  cronJob: string | null;
  actor: string;
  startedAt: string;
  finishedAt: string | null;
  output: string[];
}

export interface RunRow {
  id: number;
  release: number;
  command: string;
  state: RunState;
  exit_code: number | null;
  detached: boolean;
  cron_job: string | null;
  actor: string;
  started_at: Date;
  finished_at: Date | null;
  output: string[];
}

export interface NewRun {
  appId: number;
  release: number;
  command: string;
  detached: boolean;
  cronJob: string | null;
  actor: string;
}

export async function insertRun(sql: Sql, app: string, run: NewRun): Promise<RunRecord> {
  const [row] = await sql<RunRow[]>`
    INSERT INTO one_off_runs (app_id, release, command, detached, cron_job, actor)
    VALUES (${run.appId}, ${run.release}, ${run.command}, ${run.detached}, ${run.cronJob}, ${run.actor})
    RETURNING *`;
  return fromRow(app, row!);
}

export async function saveRunOutput(sql: Sql, id: number, output: string[]): Promise<void> {
  await sql`UPDATE one_off_runs SET output = ${output} WHERE id = ${id} AND state = 'running'`;
}

export async function finishRun(sql: Sql, app: string, id: number, state: RunState, exitCode: number | null, output: string[]): Promise<RunRecord> {
  const [row] = await sql<RunRow[]>`
    UPDATE one_off_runs SET state = ${state}, exit_code = ${exitCode}, output = ${output}, finished_at = now()
    WHERE id = ${id} RETURNING *`;
  return fromRow(app, row!);
}

export async function findRun(sql: Sql, app: { id: number; name: string }, id: number): Promise<RunRecord | undefined> {
  const [row] = await sql<RunRow[]>`SELECT * FROM one_off_runs WHERE app_id = ${app.id} AND id = ${id}`;
  return row && fromRow(app.name, row);
}

export async function listRuns(sql: Sql, app: { id: number; name: string }, limit = 20): Promise<RunRecord[]> {
  const rows = await sql<RunRow[]>`SELECT * FROM one_off_runs WHERE app_id = ${app.id} ORDER BY id DESC LIMIT ${limit}`;
  return rows.map((row) => fromRow(app.name, row));
}

/** At start: runs left `running` by a DevFlow that stopped meanwhile can no longer be followed. */
export async function markInterruptedRuns(sql: Sql): Promise<number> {
  const rows = await sql`UPDATE one_off_runs SET state = 'interrupted', finished_at = now() WHERE state = 'running' RETURNING id`;
  return rows.length;
}

export function fromRow(app: string, row: RunRow): RunRecord {
  return {
    id: row.id, app, release: row.release, command: row.command, state: row.state, exitCode: row.exit_code,
    detached: row.detached, cronJob: row.cron_job, actor: row.actor, startedAt: row.started_at.toISOString(),
    finishedAt: row.finished_at?.toISOString() ?? null, output: row.output,
  };
}
