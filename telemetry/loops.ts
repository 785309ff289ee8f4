/**
 * The background work of the logs, errors, alerts and metrics half of telemetry (issue 18),
 * started by one boot step and stopped together: the stderr error scanner.
 */
import type { Sql } from '../core/store/database.js';
import { startErrorScanner } from './errors/index.js';

export interface TelemetryLoopsOptions {
  sql: Sql;
  log(line: string): void;
}

export interface TelemetryLoops {
  /** Waits for each loop's pass in flight, so its queries end before the database closes. */
  stop(): Promise<void>;
}

export function startTelemetryLoops(options: TelemetryLoopsOptions): TelemetryLoops {
  const scanner = startErrorScanner({ sql: options.sql, log: options.log });
  return {
    async stop() {
      await scanner.stop();
    },
  };
}
