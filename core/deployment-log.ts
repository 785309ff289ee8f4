/**
 * The log of one deployment: every line is stored (so `devflow` and the API can show it later)
 * and published on the bus (so a waiting `git push` shows it live as `remote:` lines).
 */
import type { EventBus } from './events.js';
import { appendDeploymentLog } from './store/deployments.js';
import type { Sql } from './store/database.js';
import type { LogSink } from './types.js';

export class DeploymentLog implements LogSink {
  private seq = 0;
  private chain: Promise<void> = Promise.resolve();
  private readonly recent: string[] = [];

  constructor(
    private readonly sql: Sql,
    private readonly bus: EventBus,
    private readonly deploymentId: number,
    private readonly app: string,
    private readonly mirror?: (line: string) => void,
  ) {}

  line(text: string): void {
    for (const line of text.replace(/\r/g, '').split('\n')) {
      if (line.trim() === '' && text.includes('\n')) continue;
      this.write(line);
    }
  }

  /** The last lines written, for error summaries. */
  tail(count = 20): string[] {
    return this.recent.slice(-count);
  }

  async flush(): Promise<void> {
    await this.chain;
  }

  private write(line: string): void {
    const seq = this.seq++;
    this.recent.push(line);
    if (this.recent.length > 200) this.recent.shift();
    this.mirror?.(line);
    const { sql, bus, deploymentId, app } = this;
    // Writes are chained so stored and published lines keep their order.
    this.chain = this.chain
      .then(async () => {
        await appendDeploymentLog(sql, deploymentId, seq, line);
        await bus.publish({ type: 'deployment.log', deploymentId, app, seq, line });
      })
      .catch(() => {});
  }
}
