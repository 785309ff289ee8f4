/**
 * Which apps have telemetry enabled (migration 026, `telemetry_apps`), their OTLP ingest tokens
 * and their own sampling. An ingest token only writes one app's telemetry: the receiver finds the
 * app by the token's hash, never by a name the sender gives. The token is kept sealed too, since
 * every release of the app is given it (OTEL_EXPORTER_OTLP_HEADERS).
 */
import { randomBytes } from 'node:crypto';
import { openSecret, sealSecret, type SecretKey } from '../core/secrets.js';
import type { Sql } from '../core/store/database.js';
import { hashToken } from '../core/store/tokens.js';

export interface TelemetryApp {
  appId: number;
  ingestToken: string;
  sampleRatio: number | null;
  slowMs: number | null;
}

export interface SamplingChange {
  sampleRatio?: number | null;
  slowMs?: number | null;
}

export function newIngestToken(): string {
  return `dfi_${randomBytes(32).toString('base64url')}`;
}

interface Row {
  app_id: number;
  sealed_ingest_token: string;
  sample_ratio: number | null;
  slow_ms: number | null;
}

export class TelemetrySettings {
  constructor(private readonly sql: Sql, private readonly key: SecretKey) {}

  /** Enables telemetry (a token is made the first time; enabling again keeps it). */
  async enable(appId: number, sampling: SamplingChange = {}): Promise<{ app: TelemetryApp; created: boolean }> {
    const token = newIngestToken();
    const inserted = await this.sql<Row[]>`
      INSERT INTO telemetry_apps (app_id, ingest_token_hash, sealed_ingest_token, sample_ratio, slow_ms)
      VALUES (${appId}, ${hashToken(token)}, ${sealSecret(this.key, token)}, ${sampling.sampleRatio ?? null}, ${sampling.slowMs ?? null})
      ON CONFLICT (app_id) DO NOTHING RETURNING *`;
    if (inserted.length === 0 && (sampling.sampleRatio !== undefined || sampling.slowMs !== undefined)) {
      await this.sql`UPDATE telemetry_apps SET
        sample_ratio = ${sampling.sampleRatio === undefined ? this.sql`sample_ratio` : sampling.sampleRatio},
        slow_ms = ${sampling.slowMs === undefined ? this.sql`slow_ms` : sampling.slowMs}
        WHERE app_id = ${appId}`;
    }
    return { app: (await this.find(appId))!, created: inserted.length > 0 };
  }

  /** Disables telemetry and forgets the token: a sender that still has it gets 401. */
  async disable(appId: number): Promise<boolean> {
    const rows = await this.sql`DELETE FROM telemetry_apps WHERE app_id = ${appId} RETURNING app_id`;
    return rows.length > 0;
  }

  async find(appId: number): Promise<TelemetryApp | undefined> {
    const [row] = await this.sql<Row[]>`SELECT * FROM telemetry_apps WHERE app_id = ${appId}`;
    return row === undefined ? undefined : this.toApp(row);
  }

  /** The app an ingest token writes for, or undefined for an unknown token. */
  async appForToken(token: string): Promise<number | undefined> {
    if (!token.startsWith('dfi_') || token.length > 128) return undefined;
    const [row] = await this.sql<Array<{ app_id: number }>>`SELECT app_id FROM telemetry_apps WHERE ingest_token_hash = ${hashToken(token)}`;
    return row?.app_id;
  }

  /** Apps with their own sampling, by name, for the router. */
  async samplingByApp(): Promise<Array<{ app: string; sampleRatio: number | null; slowMs: number | null }>> {
    const rows = await this.sql<Array<{ name: string; sample_ratio: number | null; slow_ms: number | null }>>`
      SELECT a.name, t.sample_ratio, t.slow_ms FROM telemetry_apps t JOIN apps a ON a.id = t.app_id
      WHERE t.sample_ratio IS NOT NULL OR t.slow_ms IS NOT NULL`;
    return rows.map((r) => ({ app: r.name, sampleRatio: r.sample_ratio, slowMs: r.slow_ms }));
  }

  private toApp(row: Row): TelemetryApp {
    return { appId: row.app_id, ingestToken: openSecret(this.key, row.sealed_ingest_token), sampleRatio: row.sample_ratio, slowMs: row.slow_ms };
  }
}
