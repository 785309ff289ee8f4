/**
 * The last phase of a deployment's trace (issue 18, "Deploy traces: … route switch, first request
 * served"): the first request the router relays from an instance of a new release. The route
 * names its release (table.ts), so on each relayed response the router compares it with the
 * newest release it has served for that app; a newer one is reported once, off the request path,
 * to the sink (telemetry's, which stores it per app and release). Every request pays one Map
 * lookup and a comparison; only the first request of each release makes an object.
 *
 * Responses of the old release still draining after the switch are older numbers and change
 * nothing. A router process that restarts has forgotten what it served; its sink keeps the first
 * report of a release (and ignores releases made before the router started, whose first request
 * it cannot know).
 */

/** The first request served on a release. Times are Unix epoch milliseconds. */
export interface FirstRequest {
  app: string;
  release: number;
  startMs: number;
  durationMs: number;
}

export interface FirstRequestSink {
  recordFirstRequest(first: FirstRequest): Promise<void>;
}

export class FirstRequestWatch {
  /** The newest release relayed per app. */
  private readonly served = new Map<string, number>();

  constructor(private readonly sink: FirstRequestSink, private readonly onError: (err: unknown) => void = () => undefined) {}

  /** A response relayed whole from an instance of `release` (performance.now() times). */
  relayed(app: string, release: number | undefined, startedAt: number, endedAt: number): void {
    if (release === undefined) return;
    const newest = this.served.get(app);
    if (newest !== undefined && newest >= release) return;
    this.served.set(app, release);
    const first = { app, release, startMs: performance.timeOrigin + startedAt, durationMs: endedAt - startedAt };
    this.sink.recordFirstRequest(first).catch((err: unknown) => {
      // Not stored: the next request on the release tries again.
      if (this.served.get(app) === release) {
        if (newest === undefined) this.served.delete(app);
        else this.served.set(app, newest);
      }
      this.onError(err);
    });
  }
}
