// Bundles the dashboard into dist/api/web (run after `tsc -p tsconfig.build.json`).
import path from 'node:path';
import { writeDashboardBundle } from '../api/bundle.js';

const out = path.resolve(import.meta.dirname, '../dist/api/web');
const { bytes } = await writeDashboardBundle(out);
console.log(`dashboard bundle: ${out} (${(bytes / 1024).toFixed(1)} KiB)`);
