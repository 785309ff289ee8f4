// Bundles the dashboard into dist/dashboard/web (run after `tsc -p tsconfig.build.json`).
import path from 'node:path';
import { writeDashboardBundle } from '../dashboard/bundle.js';

const out = path.resolve(import.meta.dirname, '../dist/dashboard/web');
const { bytes } = await writeDashboardBundle(out);
console.log(`dashboard bundle: ${out} (${(bytes / 1024).toFixed(1)} KiB)`);
