/**
 * Scraping an app's own Prometheus endpoint (issue 18, metrics; opt-in): an app with telemetry
 * enabled and the config var `DEVFLOW_METRICS_PATH` (e.g. `/metrics`) has each running web
 * instance's endpoint read once a minute by the metrics pass, parsed as Prometheus's text format
 * (exposition.ts) and stored as the app's metric points (app_metric_points, as OTLP points are),
 * stamped with the instance, process type and release. One instance that does not answer, or
 * answers something else, costs a message, not the others' points.
 */
import { errorMessage } from '../../core/errors.js';
import type { AppName } from '../../core/names.js';
import type { Sql } from '../../core/store/database.js';
import type { Instance } from '../../core/types.js';
import { pointsOfExposition } from './exposition.js';
import { addMetricPoints } from './points.js';

export const SCRAPE_PATH_VAR = 'DEVFLOW_METRICS_PATH';
/** An endpoint that is slower than this is skipped for the minute. */
const TIMEOUT_MS = 2_000;
/** Larger answers are refused: a scrape is a few kilobytes, not a dump. */
const MAX_BYTES = 1024 * 1024;

export interface ScrapeOptions {
  sql: Sql;
  runtime: { list(app: AppName): Promise<Instance[]> };
}

/** Scrapes every opted-in app's instances; returns the points stored and a message per failure. */
export async function scrapeApps(options: ScrapeOptions, now: Date): Promise<{ points: number; failures: string[] }> {
  const apps = await options.sql<Array<{ id: number; name: AppName; path: string }>>`
    SELECT a.id, a.name, c.value AS path FROM apps a
    JOIN telemetry_apps t ON t.app_id = a.id JOIN config_vars c ON c.app_id = a.id AND c.key = ${SCRAPE_PATH_VAR}`;
  let points = 0;
  const failures: string[] = [];
  for (const app of apps) {
    const path = app.path.startsWith('/') ? app.path : `/${app.path}`;
    for (const instance of await options.runtime.list(app.name)) {
      if (instance.state !== 'running' || instance.upstream === null) continue;
      try {
        const text = await fetchText(`http://${instance.upstream.host.includes(':') ? `[${instance.upstream.host}]` : instance.upstream.host}:${instance.upstream.port}${path}`);
        const found = pointsOfExposition(text, app.id, now, {
          'service.instance.id': instance.id, 'devflow.process.type': instance.processType, 'service.version': `v${instance.release}`,
        });
        points += await addMetricPoints(options.sql, found);
      } catch (err) {
        failures.push(`${app.name} ${instance.id} ${path}: ${errorMessage(err)}`);
      }
    }
  }
  return { points, failures };
}

async function fetchText(url: string): Promise<string> {
  const res = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS), headers: { accept: 'text/plain;version=0.0.4' } });
  if (!res.ok) throw new Error(`answered ${res.status}`);
  if (Number(res.headers.get('content-length') ?? 0) > MAX_BYTES) throw new Error(`answered more than ${MAX_BYTES} bytes`);
  const text = await res.text();
  if (text.length > MAX_BYTES) throw new Error(`answered more than ${MAX_BYTES} bytes`);
  return text;
}
