/**
 * The span store's daily partitions (PostgreSQL declarative range partitioning on start_time, in
 * UTC days): their names, their bounds, which days a write may go to, and which partitions are
 * past the retention. Pure, so the calendar rules are table-tested without a database.
 */

const DAY_MS = 86_400_000;
const NAME = /^spans_p(\d{4})(\d{2})(\d{2})$/;

/** The UTC day (its midnight, epoch ms) a time falls in. */
export function dayOf(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

export function partitionName(day: number): string {
  return `spans_p${new Date(day).toISOString().slice(0, 10).replace(/-/g, '')}`;
}

/** The partition's bounds as SQL literals: [from, to). */
export function partitionBounds(day: number): { from: string; to: string } {
  return { from: new Date(day).toISOString(), to: new Date(day + DAY_MS).toISOString() };
}

/** The day a partition name stands for, or undefined for a table that is not one of ours. */
export function dayOfPartition(name: string): number | undefined {
  const match = NAME.exec(name);
  return match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : undefined;
}

/**
 * Whether a span starting at `startMs` is stored: within the retention (a span that would be
 * dropped at once is not written) and no more than a day ahead of this machine's clock (a client
 * with a wrong clock must not create partitions far in the future).
 */
export function acceptsStart(startMs: number, nowMs: number, retentionDays: number): boolean {
  return dayOf(startMs) > dayOf(nowMs) - retentionDays * DAY_MS && startMs < nowMs + DAY_MS;
}

/** Partitions holding only days older than the retention: today and the `retentionDays - 1` before it stay. */
export function expiredPartitions(names: string[], nowMs: number, retentionDays: number): string[] {
  const oldestKept = dayOf(nowMs) - (retentionDays - 1) * DAY_MS;
  return names.filter((name) => {
    const day = dayOfPartition(name);
    return day !== undefined && day < oldestKept;
  }).sort();
}
