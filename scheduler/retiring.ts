/**
 * Instances being retired: a rollout drains and stops the previous release's instances after the
 * push returned and the app's lock was released (issue 15). The periodic reconciler would see
 * them as instances of an old release and stop them at once, cutting requests still in flight;
 * it leaves the ones listed here to the rollout that retires them. In memory, because the
 * retirement lives in this process: after a restart nobody retires them and the reconciler does.
 */
const retiring = new Set<string>();

/** Lists the instances until the returned function is called (once their retirement ended). */
export function markRetiring(ids: readonly string[]): () => void {
  for (const id of ids) retiring.add(id);
  return () => {
    for (const id of ids) retiring.delete(id);
  };
}

export async function whileRetiring<T>(ids: readonly string[], work: () => Promise<T>): Promise<T> {
  const done = markRetiring(ids);
  try {
    return await work();
  } finally {
    done();
  }
}

export function isRetiring(id: string): boolean {
  return retiring.has(id);
}
