/**
 * Log search over a million lines (issue 18): the time of typical searches (telemetry/logs/)
 * on one app's million runtime lines spread over a day, beside two other apps' lines, on the
 * embedded PostgreSQL. Each search runs with the indexes of migration 029, without them, and
 * with the JSON fields parsed at query time instead of when stored; and storing lines is timed
 * with and without the parsed-fields column and the indexes (what parsing at collection costs).
 * Usage: node --import tsx bench/logsearch.ts [lines=1000000]
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres } from '../core/embedded-postgres/embedded.js';
import { connect, migrate, type Sql } from '../core/store/database.js';
import { MIGRATIONS } from '../core/store/migrations.js';
import { appendRuntimeLogs, type NewLogLine } from '../core/store/runtime-logs.js';
import { buildLogSearch } from '../telemetry/logs/index.js';

const LINES = Number(process.argv[2] ?? 1_000_000);
const RUNS = 5;
const INSERTS = 20_000;
const here = import.meta.dirname;

const SEARCHES: Array<[string, string | undefined]> = [
  ['level:error status>=500 "timeout"', '2h'],
  ['level:error status>=500 "timeout"', undefined],
  ['"connection refused"', undefined],
  ['timeout', undefined],
  ['req.method:POST duration_ms>4900', undefined],
  ['-level:info -level:debug', '2h'],
  ['', '2h'],
];

/** A day of lines for one app: 70% JSON request logs, the rest plain text; ids follow time. */
function fillSql(appId: number, lines: number): string {
  return `
    INSERT INTO runtime_logs (app_id, instance, process_type, release, line, at)
    SELECT ${appId}, 'shop-web-v7-' || (1 + i % 3) || '-ab12', 'web', 7,
      CASE WHEN i % 10 < 7 THEN json_build_object(
          'level', (ARRAY['info','info','info','info','debug','warn','error'])[1 + i % 7],
          'msg', (ARRAY['GET /cart','POST /checkout','upstream timeout','GET /products','slow query'])[1 + (i / 7) % 5],
          'status', (ARRAY[200,200,201,404,500,502,504,200,301])[1 + i % 9],
          'duration_ms', (i::bigint * 7919) % 5000,
          'req', json_build_object('method', (ARRAY['GET','POST','PUT'])[1 + i % 3], 'path', '/items/' || (i % 1000))
        )::text
        WHEN i % 1000 = 3 THEN 'Error: connect ECONNREFUSED: connection refused 10.0.0.' || (i % 255) || ':5432'
        ELSE 'plain text line ' || i || ' handled request in ' || (i % 300) || 'ms'
      END,
      now() - interval '1 day' + (i * interval '1 day' / ${lines})
    FROM generate_series(1, ${lines}) i`;
}

async function timeSearch(sql: Sql, statement: { text: string; params: string[] }): Promise<{ ms: number; rows: number }> {
  const times: number[] = [];
  let rows = 0;
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    rows = (await sql.unsafe(statement.text, statement.params)).length;
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(RUNS / 2)]!, rows };
}

/** The same search with each line's fields parsed as it is read, not stored. */
function parsedAtQueryTime(statement: { text: string; params: string[] }): { text: string; params: string[] } {
  const [select, where] = statement.text.split(' WHERE ');
  return { text: `${select} WHERE ${where!.replaceAll('fields', 'devflow_log_fields(line)')}`, params: statement.params };
}

const INDEXES = ['runtime_logs_app_at_idx', 'runtime_logs_fields_idx', 'runtime_logs_line_trgm_idx'];
const INDEX_SQL = [
  'CREATE INDEX runtime_logs_app_at_idx ON runtime_logs (app_id, at)',
  'CREATE INDEX runtime_logs_fields_idx ON runtime_logs USING gin (fields jsonb_path_ops)',
  'CREATE INDEX runtime_logs_line_trgm_idx ON runtime_logs USING gin (line gin_trgm_ops)',
];

async function timeInserts(sql: Sql, appId: number, table: string): Promise<number> {
  const lines: NewLogLine[] = Array.from({ length: INSERTS }, (_, i) => ({
    appId, instance: 'shop-web-v7-1-ab12', processType: 'web', release: 7, at: new Date(),
    line: i % 10 < 7 ? JSON.stringify({ level: 'info', msg: 'GET /cart', status: 200, duration_ms: i % 500, req: { method: 'GET' } }) : `plain text line ${i}`,
  }));
  const start = performance.now();
  for (let i = 0; i < lines.length; i += 100) {
    // The collector's batch: one transaction per instance per second, with its read position.
    await sql.begin(async (tx) => {
      await tx`INSERT INTO ${tx(table)} ${tx(lines.slice(i, i + 100).map((l) => ({ app_id: l.appId, instance: l.instance, process_type: l.processType, release: l.release, line: l.line, at: l.at })))}`;
    });
  }
  return Math.round(INSERTS / ((performance.now() - start) / 1000));
}

async function main(): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'devflow-logbench-'));
  const cluster = await startEmbeddedPostgres(dir, () => {});
  const sql = connect(cluster.url, 2);
  const rows: string[] = [];
  try {
    await migrate(sql, MIGRATIONS);
    const ids: number[] = [];
    for (const name of ['shop', 'blog', 'api']) ids.push((await sql<{ id: number }[]>`INSERT INTO apps (name) VALUES (${name}) RETURNING id`)[0]!.id);
    await sql.unsafe(`CREATE TABLE runtime_logs_plain (LIKE runtime_logs INCLUDING DEFAULTS EXCLUDING GENERATED); ALTER TABLE runtime_logs_plain DROP COLUMN fields;
      CREATE INDEX ON runtime_logs_plain (app_id, id); CREATE INDEX ON runtime_logs_plain (at)`);
    // Interleaved, best of three each, since other work shares the machine.
    let plain = 0;
    let parsed = 0;
    for (let round = 0; round < 3; round++) {
      plain = Math.max(plain, await timeInserts(sql, ids[1]!, 'runtime_logs_plain'));
      parsed = Math.max(parsed, await timeInserts(sql, ids[1]!, 'runtime_logs'));
    }
    console.log(`inserts: ${plain} lines/s plain, ${parsed} lines/s with fields and indexes`);
    // Loaded without the new indexes, then indexed: the day's lines arrive at once here.
    const loadStart = performance.now();
    await sql.unsafe(INDEXES.map((i) => `DROP INDEX ${i}`).join(';'));
    await sql.unsafe(fillSql(ids[0]!, LINES));
    await sql.unsafe(fillSql(ids[2]!, Math.round(LINES / 10)));
    const loadSeconds = Math.round((performance.now() - loadStart) / 1000);
    const indexStart = performance.now();
    for (const statement of INDEX_SQL) await sql.unsafe(statement);
    await sql.unsafe('ANALYZE runtime_logs');
    const indexSeconds = Math.round((performance.now() - indexStart) / 1000);
    console.log(`loaded ${LINES} lines in ${loadSeconds} s, indexed in ${indexSeconds} s`);
    const [size] = await sql<{ table: string; indexes: string }[]>`
      SELECT pg_size_pretty(pg_table_size('runtime_logs')) AS table, pg_size_pretty(pg_indexes_size('runtime_logs')) AS indexes`;
    const results: Record<string, { ms: number; rows: number }[]> = { indexed: [], bare: [], queryTime: [] };
    const statements = SEARCHES.map(([query, since]) => buildLogSearch({ appId: ids[0]!, query, limit: 100, since: since ? new Date(Date.now() - 2 * 3_600_000) : undefined }));
    for (const s of statements) results.indexed!.push(await timeSearch(sql, s));
    await sql.unsafe(INDEXES.map((i) => `DROP INDEX ${i}`).join(';'));
    for (const s of statements) results.bare!.push(await timeSearch(sql, s));
    for (const s of statements) results.queryTime!.push(await timeSearch(sql, parsedAtQueryTime(s)));
    SEARCHES.forEach(([query, since], i) => {
      const cell = (r: { ms: number; rows: number }) => `${r.ms.toFixed(1)} ms`;
      rows.push(`| \`${query || '(all lines)'}\` | ${since ?? '1 day'} | ${results.indexed![i]!.rows} | ${cell(results.indexed![i]!)} | ${cell(results.bare![i]!)} | ${cell(results.queryTime![i]!)} |`);
    });
    const header = `## Log search over ${LINES.toLocaleString('en')} lines (median of ${RUNS}, newest 100 matches, load average ${os.loadavg()[0]!.toFixed(1)})\n\n`
      + `Loaded in ${loadSeconds} s (fields parsed as stored), indexed in ${indexSeconds} s; table ${size!.table}, indexes ${size!.indexes}. Storing lines in batches of 100 (best of 3, interleaved): ${plain} lines/s without the fields column and the new indexes, ${parsed} lines/s with them.\n\n`
      + '| query | since | rows | indexed (029) | no new index | fields parsed at query time, no index |\n| --- | --- | --- | --- | --- | --- |\n';
    const text = header + rows.join('\n') + '\n';
    console.log(text);
    const out = path.join(here, 'results');
    await fs.mkdir(out, { recursive: true });
    await fs.writeFile(path.join(out, 'logsearch.md'), text);
  } finally {
    await sql.end();
    await cluster.stop();
    await fs.rm(dir, { recursive: true, force: true });
  }
}

await main();
