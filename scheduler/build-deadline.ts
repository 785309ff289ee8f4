/**
 * When a build must end before it is done: its time limit (DEVFLOW_BUILD_TIMEOUT) passed, or
 * DevFlow is stopping. A build that never ends (a script waiting for input, a hung download)
 * would otherwise hold its app's lock, so no later push of the app could deploy, and hold
 * DevFlow's stop, which waits for running deployments. The reason is the error the pusher reads.
 */
import { BuildError } from '../core/errors.js';

export const DEFAULT_BUILD_TIMEOUT_MS = 1_800_000;

/** What the pusher reads when a build passed its time limit (pure). */
export function buildTimeoutError(timeoutMs: number): BuildError {
  return new BuildError(
    'build',
    `it ran longer than ${describeSeconds(timeoutMs)} (DEVFLOW_BUILD_TIMEOUT) and was stopped; ` +
      'find the step that hangs in the log above, or ask the operator to raise the limit',
  );
}

/** What the pusher reads when DevFlow stopped during the build (pure). */
export function buildStoppedError(): BuildError {
  return new BuildError('build', 'DevFlow was stopped during the build; push again once it is running');
}

function describeSeconds(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds % 60 === 0 && seconds >= 60) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/**
 * A signal that aborts after `timeoutMs`, when DevFlow is `stopping`, or when the deployment is
 * `cancelled` (with that signal's own reason), whichever is first, with the matching error as
 * its reason; `clear()` drops the timer and the listeners once the build is done.
 */
export function buildDeadline(timeoutMs: number, ends: { stopping?: AbortSignal; cancelled?: AbortSignal } = {}): { signal: AbortSignal; clear(): void } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(buildTimeoutError(timeoutMs)), timeoutMs);
  const onStop = () => controller.abort(buildStoppedError());
  const onCancel = () => controller.abort(ends.cancelled?.reason);
  const watch = (signal: AbortSignal | undefined, listener: () => void) => {
    if (signal?.aborted) listener();
    else signal?.addEventListener('abort', listener, { once: true });
  };
  watch(ends.stopping, onStop);
  watch(ends.cancelled, onCancel);
  return {
    signal: controller.signal,
    clear() {
      clearTimeout(timer);
      ends.stopping?.removeEventListener('abort', onStop);
      ends.cancelled?.removeEventListener('abort', onCancel);
    },
  };
}
