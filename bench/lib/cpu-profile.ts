/**
 * Reading a V8 CPU profile (the `.cpuprofile` JSON of the inspector's Profiler domain) of an idle
 * DevFlow (issue 23): where its CPU at rest goes, by the package or Node part that ran (self time)
 * and by DevFlow's own frame nearest to it on the stack (which loop asked). Work that resumes after
 * an `await` or runs from a socket's data event has no DevFlow frame under it: it counts as
 * "(no DevFlow frame)" and is told apart by package only.
 */
export interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }>;
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  /** Profiled wall time, ms. */
  wallMs: number;
  /** Sampled time not idle, ms. */
  busyMs: number;
  /** Busy time by the place that ran it (package, node:*, garbage collector, DevFlow file), ms, largest first. */
  byPlace: Array<[string, number]>;
  /** Busy time by DevFlow's nearest frame (file:function), ms, largest first. */
  byCaller: Array<[string, number]>;
}

/** `node_modules/<pkg>`, `node:<module>`, a DevFlow path relative to the repository, or V8's own (program) / (garbage collector). */
export function placeOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith('node:')) return url.replace(/^node:internal\/(?:deps\/)?([^/]+).*$/, 'node:$1');
  const own = /\/(?:dist|src)?\/?((?:accounts|addons|api|backend|billing|boot|builder|cli|core|deploys|receiver|router|scheduler|telemetry)\/.*)$/.exec(url);
  return own ? own[1]!.replace(/\.js$/, '.ts') : url;
}

const isOwn = (url: string) => url !== '' && !url.includes('/node_modules/') && !url.startsWith('node:');

export function summariseProfile(profile: CpuProfile): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
  const places = new Map<string, number>();
  const callers = new Map<string, number>();
  let busy = 0;
  for (const [id, ms] of self) {
    const frame = byId.get(id)!.callFrame;
    if (frame.functionName === '(idle)') continue;
    busy += ms;
    const place = placeOf(frame.url, frame.functionName);
    places.set(place, (places.get(place) ?? 0) + ms);
    let caller = '(no DevFlow frame)';
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const f = byId.get(at)!.callFrame;
      if (isOwn(f.url)) {
        caller = `${placeOf(f.url, f.functionName)}:${f.functionName || '(anonymous)'}`;
        break;
      }
    }
    callers.set(caller, (callers.get(caller) ?? 0) + ms);
  }
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]);
  return { wallMs: (profile.endTime - profile.startTime) / 1000, busyMs: busy, byPlace: sorted(places), byCaller: sorted(callers) };
}
