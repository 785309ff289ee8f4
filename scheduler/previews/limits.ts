/**
 * Preview limits and lifetime, decided by pure functions: whether a new preview may be made
 * (never by silently removing another one) and which previews have been idle past their TTL.
 */
export interface PreviewAge {
  slug: string;
  lastActivityAt: Date;
}

export type AdmitDecision = { ok: true } | { ok: false; reason: string };

export function admitPreview(existing: PreviewAge[], max: number, now: Date): AdmitDecision {
  if (existing.length < max) return { ok: true };
  const oldest = [...existing].sort((a, b) => a.lastActivityAt.getTime() - b.lastActivityAt.getTime())[0];
  const idle = oldest ? ` The oldest idle one is ${oldest.slug} (idle ${describeAge(now.getTime() - oldest.lastActivityAt.getTime())}): ` +
    `remove it with \`devflow previews:remove <app> ${oldest.slug}\`, or raise DEVFLOW_MAX_PREVIEWS.` : '';
  return { ok: false, reason: `this app already has ${existing.length} previews, the limit.${idle}` };
}

export function expiredPreviews(previews: PreviewAge[], ttlMs: number, now: Date): string[] {
  return previews.filter((p) => now.getTime() - p.lastActivityAt.getTime() > ttlMs).map((p) => p.slug);
}

export function describeAge(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h`;
  return `${Math.floor(hours / 24)} days`;
}
