/**
 * A background job that runs every few seconds (reconcile, supervise): a run never overlaps the
 * one before it, and stopping waits for the run in flight, so a shutdown closes the database
 * only after the last query that needs it. A run reports its own failures (each caller logs
 * them); one that throws anyway is dropped, and the next run comes at its time.
 */
export interface Periodic {
  /** No new runs; resolves when the one in flight (if any) has ended. */
  stop(): Promise<void>;
}

export function runPeriodically(run: () => Promise<void>, everyMs: number): Periodic {
  let current: Promise<void> | undefined;
  let stopped = false;
  const timer = setInterval(() => {
    if (current !== undefined || stopped) return; // the previous run is still going: skip this turn
    current = run().catch(() => undefined).finally(() => (current = undefined));
  }, everyMs);
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await current;
    },
  };
}
