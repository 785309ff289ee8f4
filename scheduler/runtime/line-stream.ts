/**
 * Output of a one-off process as lines while it runs: each stream keeps its unfinished line
 * until its newline; the collector keeps only the last lines, so a chatty task costs little.
 */
import { Writable } from 'node:stream';
import { RUN_ONCE_OUTPUT_LINES } from './types.js';

export class LineCollector {
  readonly lines: string[] = [];

  constructor(private readonly onLine?: (line: string) => void) {}

  add(line: string): void {
    this.lines.push(line);
    if (this.lines.length > RUN_ONCE_OUTPUT_LINES) this.lines.shift();
    this.onLine?.(line);
  }

  /** A writable for one stream (stdout or stderr): bytes in, whole lines to the collector. */
  stream(): Writable {
    let pending = Buffer.alloc(0);
    return new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        pending = Buffer.concat([pending, chunk]);
        for (let nl = pending.indexOf(10); nl !== -1; nl = pending.indexOf(10)) {
          this.add(pending.subarray(0, nl).toString('utf8').replace(/\r$/, ''));
          pending = pending.subarray(nl + 1);
        }
        done();
      },
      final: (done) => {
        if (pending.length > 0) this.add(pending.toString('utf8'));
        done();
      },
    });
  }
}
