/**
 * What an alert rule reads (issue 18), from the store: metrics from the minute rollup
 * (telemetry/metrics/), events from the state the scheduler and router keep (crash records,
 * deployments, certificates), so a restarted DevFlow sees at once what is still wrong.
 */
import type { Sql } from '../../core/store/database.js';
import { listCrashes } from '../../core/store/crashes.js';
import { isCrashLoop } from '../../scheduler/index.js';
import { recentSummary } from '../metrics/query.js';
import type { MetricSummary } from '../metrics/summary.js';
import type { Reading } from './evaluate.js';
import type { AlertCondition, AlertMetric } from './rule-parser.js';

/** Injected into the evaluator, so its tests can drive it with readings of their own. */
export interface AlertReadings {
  read(appId: number, condition: AlertCondition, now: Date): Promise<Reading>;
}

/** The last two minutes of rows: the latest finished minute is in them whatever the pass's timing. */
const METRIC_WINDOW_MS = 2 * 60_000;

const PICK: Record<AlertMetric, (s: MetricSummary) => number | undefined> = {
  '5xx_rate': (s) => s.rate5xx,
  '4xx_rate': (s) => s.rate4xx,
  p50: (s) => s.p50Ms,
  p95: (s) => s.p95Ms,
  p99: (s) => s.p99Ms,
  request_rate: (s) => s.requestsPerMinute,
  cpu: (s) => s.cpuPercent,
  memory_mb: (s) => s.memoryMb,
};

export function storeReadings(sql: Sql): AlertReadings {
  return {
    async read(appId, condition, now) {
      if (condition.kind === 'metric') return { kind: 'metric', value: PICK[condition.metric](await recentSummary(sql, appId, now, METRIC_WINDOW_MS)) };
      return { kind: 'event', active: await eventActive(sql, appId, condition.event, now) };
    },
  };
}

async function eventActive(sql: Sql, appId: number, event: 'crash_loop' | 'deploy_failed' | 'certificate_failing', now: Date): Promise<boolean> {
  switch (event) {
    case 'crash_loop': {
      const [app] = await sql<{ current_release: number | null }[]>`SELECT current_release FROM apps WHERE id = ${appId}`;
      const crashes = await listCrashes(sql, appId);
      return crashes.some((c) => app?.current_release != null && isCrashLoop(c, app.current_release, now));
    }
    case 'deploy_failed': {
      // The latest deployment that ended: failed until a later one succeeds.
      const [last] = await sql<{ state: string }[]>`
        SELECT state FROM deployments WHERE app_id = ${appId} AND state IN ('succeeded', 'failed') ORDER BY id DESC LIMIT 1`;
      return last?.state === 'failed';
    }
    case 'certificate_failing': {
      const [failing] = await sql<{ n: number }[]>`
        SELECT count(*)::int AS n FROM domains d JOIN certificates c ON c.name = d.name WHERE d.app_id = ${appId} AND c.state = 'failed'`;
      return (failing?.n ?? 0) > 0;
    }
  }
}
