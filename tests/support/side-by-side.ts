/**
 * Runs `work` for every item side by side and waits for all of them to end before throwing the
 * first failure. For setups that start DevFlows: with Promise.all a failure would end the hook
 * while the others were still starting, and afterAll would stop only those started by then.
 */
export async function eachSideBySide<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  const results = await Promise.allSettled(items.map(work));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
