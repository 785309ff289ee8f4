// Preloaded with `--import` (through NODE_OPTIONS) into a DevFlow under test: registers
// module-probe-hooks.mjs, which appends the URL of every module the process loads to the file
// named by MODULE_PROBE_FILE. Plain JavaScript, since it runs before any TypeScript loader.
import { register } from 'node:module';

register('./module-probe-hooks.mjs', import.meta.url, { data: { file: process.env.MODULE_PROBE_FILE } });
