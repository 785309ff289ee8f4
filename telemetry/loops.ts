/**
 * The background work of the logs, errors, alerts and metrics half of telemetry (issue 18),
 * started by one boot step and stopped together: the stderr error scanner, the per-minute
 * metrics rollup of the router's traffic, and the alert rules' evaluation and delivery.
 */
import { platformMailer } from '../core/mail/platform.js';
import type { AppName } from '../core/names.js';
import type { Sql } from '../core/store/database.js';
import type { Instance } from '../core/types.js';
import type { UsageReading } from '../scheduler/index.js';
import { AlertRunner, storeReadings } from './alerts/index.js';
import { startErrorScanner } from './errors/index.js';
import { MetricsSampler, withReportedUsage, type TrafficCounters } from './metrics/index.js';

export interface TelemetryLoopsOptions {
  sql: Sql;
  /** The router's counters (RouterService.metrics). */
  traffic: TrafficCounters;
  /** The runtime driver, whose instances' CPU and memory the metrics pass samples. */
  runtime?: { readonly kind?: string; readUsage?(): Promise<UsageReading[]>; list?(app: AppName): Promise<Instance[]> };
  /** DEVFLOW_SMTP_URL, for email alerts; undefined: the embedded mail catcher. */
  smtpUrl?: string;
  /** The From address of alert mails. */
  mailFrom: string;
  log(line: string): void;
  /** DEVFLOW_METRICS_EVERY_SECONDS, in ms: the metrics pass's period (default 60 s). */
  metricsEveryMs?: number;
}

export interface TelemetryLoops {
  /** Waits for each loop's pass in flight, so its queries end before the database closes. */
  stop(): Promise<void>;
}

export function startTelemetryLoops(options: TelemetryLoopsOptions): TelemetryLoops {
  const scanner = startErrorScanner({ sql: options.sql, log: options.log });
  // On swarm, tasks on other nodes report their own CPU and memory (metrics/reported-usage.ts).
  const usage = options.runtime?.kind === 'swarm' ? withReportedUsage(options.sql, options.runtime) : options.runtime;
  const runtime = options.runtime;
  const scrape = runtime?.list === undefined ? undefined : { list: (app: AppName) => runtime.list!(app) };
  const sampler = new MetricsSampler({ sql: options.sql, traffic: options.traffic, usage, scrape, log: options.log, everyMs: options.metricsEveryMs });
  sampler.start();
  const mail = platformMailer({ sql: options.sql, smtpUrl: options.smtpUrl });
  const alerts = new AlertRunner({
    sql: options.sql, readings: storeReadings(options.sql), log: options.log,
    delivery: { mail, mailFrom: options.mailFrom },
  });
  alerts.start();
  return {
    async stop() {
      await Promise.all([scanner.stop(), sampler.stop(), alerts.stop()]);
      await mail.close();
    },
  };
}
