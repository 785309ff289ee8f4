// Preloaded (`node --import`) into a benchmarked DevFlow: on SIGUSR2 it writes the process's
// own view of its memory (process.memoryUsage() and V8's heap spaces) as JSON to the file named
// by DEVFLOW_BENCH_MEMORY_REPORT, so the bench can say where resident memory goes.
import { writeFileSync } from 'node:fs';
import v8 from 'node:v8';

process.on('SIGUSR2', () => {
  const spaces = Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name, { used: s.space_used_size, committed: s.physical_space_size }]));
  writeFileSync(process.env.DEVFLOW_BENCH_MEMORY_REPORT, JSON.stringify({ ...process.memoryUsage(), spaces }));
});
