/**
 * The alert loop (issue 18): every 30 s each rule is read (readings.ts), evaluated (evaluate.ts)
 * and its change of state saved with the notification it owes (store.ts); then notifications not
 * yet delivered are sent (channels.ts), oldest first per rule, and marked delivered. A failed
 * delivery is tried again on the next passes, up to MAX_ATTEMPTS; its error is kept for
 * `devflow alerts` to show.
 */
import { errorMessage } from '../../core/errors.js';
import type { Sql } from '../../core/store/database.js';
import { runPeriodically, type Periodic } from '../../core/periodic.js';
import { deliverNotification, type DeliveryOptions } from './channels.js';
import { evaluateAlert } from './evaluate.js';
import type { AlertReadings } from './readings.js';
import { listAlertRules, markDelivered, markFailed, saveAlertState, undeliveredNotifications } from './store.js';

const EVALUATE_EVERY_MS = 30_000;
export const MAX_ATTEMPTS = 10;

export interface AlertRunnerOptions {
  sql: Sql;
  readings: AlertReadings;
  delivery: DeliveryOptions;
  log(line: string): void;
}

export class AlertRunner {
  private loop: Periodic | undefined;

  constructor(private readonly options: AlertRunnerOptions) {}

  start(): void {
    this.loop = runPeriodically(() => this.pass().then(() => undefined), EVALUATE_EVERY_MS);
  }

  async stop(): Promise<void> {
    await this.loop?.stop();
  }

  /** One evaluation of every rule, then one delivery round; returns how many were sent. */
  async pass(now = new Date()): Promise<number> {
    await this.evaluate(now);
    return this.deliver();
  }

  private async evaluate(now: Date): Promise<void> {
    const { sql, readings, log } = this.options;
    for (const rule of await listAlertRules(sql)) {
      try {
        const reading = await readings.read(rule.appId, rule.condition, now);
        const result = evaluateAlert(rule.condition, rule.state, reading, now);
        const value = reading.kind === 'metric' ? reading.value ?? null : null;
        if (result.state.status !== rule.state.status || result.notify) {
          await saveAlertState(sql, rule, rule.state, result.state, value, result.notify, now);
        }
      } catch (err) {
        log(`alert ${rule.id} (${rule.app}: ${rule.text}): ${errorMessage(err)}`);
      }
    }
  }

  private async deliver(): Promise<number> {
    const { sql, delivery, log } = this.options;
    let sent = 0;
    for (const n of await undeliveredNotifications(sql, MAX_ATTEMPTS)) {
      try {
        await deliverNotification(n.rule.channel, { app: n.rule.app, ruleId: n.rule.id, rule: n.rule.text, status: n.status, value: n.value, at: n.at }, delivery);
        await markDelivered(sql, n.id);
        sent++;
      } catch (err) {
        await markFailed(sql, n.id, errorMessage(err));
        if (n.attempts + 1 === MAX_ATTEMPTS) log(`alert ${n.rule.id} (${n.rule.app}): gave up sending "${n.status}" after ${MAX_ATTEMPTS} attempts: ${errorMessage(err)}`);
      }
    }
    return sent;
  }
}
