/**
 * The event bus: typed messages between roles, carried by PostgreSQL LISTEN/NOTIFY so that
 * every control-plane process (and later every replica) sees the same stream without Redis.
 */
import type { DeploymentState } from './types.js';
import { connect, type Sql } from './store/database.js';

export type DevflowEvent =
  | { type: 'deployment.log'; deploymentId: number; app: string; seq: number; line: string }
  | { type: 'deployment.state'; deploymentId: number; app: string; state: DeploymentState; reason?: string | null; releaseVersion?: number | null }
  /** Whichever DevFlow process builds it stops the build (scheduler/cancel.ts). */
  | { type: 'deployment.cancel'; deploymentId: number; app: string; reason: string }
  | { type: 'release.created'; app: string; version: number }
  | { type: 'app.changed'; app: string };

const CHANNEL = 'devflow_events';
// NOTIFY payloads are limited to 8000 bytes; log lines longer than this are cut.
const MAX_LINE = 4000;

export class EventBus {
  private readonly publisher: Sql;
  private readonly listeners = new Set<(event: DevflowEvent) => void>();
  private unlisten: (() => Promise<void>) | undefined;

  /** One connection publishes, so events keep the order in which they were published. */
  constructor(private readonly url: string, private readonly listenerSql: Sql) {
    this.publisher = connect(url, 1);
  }

  async start(): Promise<void> {
    const meta = await this.listenerSql.listen(CHANNEL, (payload) => this.dispatch(payload));
    this.unlisten = meta.unlisten;
  }

  async publish(event: DevflowEvent): Promise<void> {
    const safe = event.type === 'deployment.log' ? { ...event, line: event.line.slice(0, MAX_LINE) } : event;
    await this.publisher`SELECT pg_notify(${CHANNEL}, ${JSON.stringify(safe)})`;
  }

  subscribe(listener: (event: DevflowEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    await this.unlisten?.().catch(() => {});
    await this.publisher.end({ timeout: 2 });
  }

  private dispatch(payload: string): void {
    let event: DevflowEvent;
    try {
      event = JSON.parse(payload) as DevflowEvent;
    } catch {
      return;
    }
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // A failing listener must not stop the others from hearing the event.
      }
    }
  }
}
