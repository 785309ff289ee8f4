/**
 * Presence for one topic, as Phoenix.Presence shapes it for its JS client (which realtime-js
 * wraps): the state is `{ key: { metas: [{ phx_ref, ...tracked }] } }`, sent whole to a client
 * that joins (`presence_state`), then changes as `presence_diff` `{ joins, leaves }` in the same
 * shape. A member (one channel join) tracks at most one entry; tracking again replaces it, which
 * is a leave of the old entry and a join of the new one in a single diff.
 *
 * Pure bookkeeping; the hub sends what these return.
 */

export type PresenceEntries = Record<string, { metas: Record<string, unknown>[] }>;

export interface PresenceDiff {
  joins: PresenceEntries;
  leaves: PresenceEntries;
}

interface Tracked {
  key: string;
  meta: Record<string, unknown>;
}

export class TopicPresence {
  private readonly byMember = new Map<string, Tracked>();

  get size(): number {
    return this.byMember.size;
  }

  /** `payload` is what the client tracked; `ref` names this entry (phx_ref). */
  track(member: string, key: string, payload: Record<string, unknown>, ref: string): PresenceDiff {
    const diff = this.untrack(member);
    const meta = { ...payload, phx_ref: ref };
    this.byMember.set(member, { key, meta });
    add(diff.joins, key, meta);
    return diff;
  }

  untrack(member: string): PresenceDiff {
    const diff: PresenceDiff = { joins: {}, leaves: {} };
    const previous = this.byMember.get(member);
    if (previous) {
      this.byMember.delete(member);
      add(diff.leaves, previous.key, previous.meta);
    }
    return diff;
  }

  state(): PresenceEntries {
    const entries: PresenceEntries = {};
    for (const { key, meta } of this.byMember.values()) add(entries, key, meta);
    return entries;
  }
}

function add(entries: PresenceEntries, key: string, meta: Record<string, unknown>): void {
  (entries[key] ??= { metas: [] }).metas.push(meta);
}

export function isEmptyDiff(diff: PresenceDiff): boolean {
  return Object.keys(diff.joins).length === 0 && Object.keys(diff.leaves).length === 0;
}
