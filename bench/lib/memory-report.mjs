// Preloaded (`node --import`) into a benchmarked DevFlow: on SIGUSR2 it writes the process's
// own view of its memory (process.memoryUsage() and V8's heap spaces) as JSON to the file named
// by DEVFLOW_BENCH_MEMORY_REPORT, so the bench can say where resident memory goes.
// With DEVFLOW_BENCH_CPU_PROFILE set to a file path, SIGWINCH starts V8's CPU profiler (through
// an in-process inspector session, so no --inspect port) and the next SIGWINCH writes the profile
// there: the bench profiles a window of rest, not the whole run as `--cpu-prof` would.
// With DEVFLOW_BENCH_HEAP_SNAPSHOTS set to a directory, each SIGUSR2 also writes a heap snapshot
// there (1.heapsnapshot, 2.heapsnapshot, … in reading order), to compare what the heap holds
// with no apps, one app and ten.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import v8 from 'node:v8';

process.on('SIGUSR2', () => {
  const spaces = Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name, { used: s.space_used_size, committed: s.physical_space_size }]));
  const report = JSON.stringify({ ...process.memoryUsage(), spaces });
  // The snapshot after the figures, so its own allocations are not in them.
  if (process.env.DEVFLOW_BENCH_HEAP_SNAPSHOTS) v8.writeHeapSnapshot(`${process.env.DEVFLOW_BENCH_HEAP_SNAPSHOTS}/${++snapshots}.heapsnapshot`);
  writeFileSync(process.env.DEVFLOW_BENCH_MEMORY_REPORT, report);
});
let snapshots = 0;

if (process.env.DEVFLOW_BENCH_CPU_PROFILE) {
  let session;
  process.on('SIGWINCH', () => {
    if (session === undefined) {
      session = new Session();
      session.connect();
      session.post('Profiler.enable', () => session.post('Profiler.start'));
      return;
    }
    const done = session;
    session = undefined;
    done.post('Profiler.stop', (err, result) => {
      writeFileSync(process.env.DEVFLOW_BENCH_CPU_PROFILE, err ? JSON.stringify({ error: String(err) }) : JSON.stringify(result.profile));
      done.disconnect();
    });
  });
}
