/**
 * Vitest's test sequencer for this repository (vitest.config.ts `sequence.sequencer`): the files
 * start longest first by the committed durations of a recorded run (test-order.ts). Vitest's own
 * sequencer sorts by the durations it caches under node_modules, which a fresh CI clone does not
 * have, so CI started files by size and a long end-to-end file could start late and run alone.
 */
import fs from 'node:fs';
import path from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { orderTestFiles, type TestDurations } from './test-order.js';

const DURATIONS = path.join(import.meta.dirname, 'test-durations.json');

function readDurations(): TestDurations {
  try {
    return JSON.parse(fs.readFileSync(DURATIONS, 'utf8')) as TestDurations;
  } catch {
    return {}; // no recording: every file is "unrecorded", so they start by path
  }
}

export class DurationSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const root = this.ctx.config.root;
    return orderTestFiles(files, (spec) => path.relative(root, spec.moduleId), readDurations());
  }
}
