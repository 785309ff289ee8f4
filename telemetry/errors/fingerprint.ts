/**
 * The fingerprint that groups exceptions (issue 18): the exception type and its top frames,
 * each frame reduced to the function and the file's base name with every number taken out,
 * so the same fault groups together across lines moved by an edit, releases built in other
 * folders, Node.js versions and bundles' chunk hashes, while two faults in different places stay
 * apart. The message is left out: it usually carries ids and values. Pure.
 */
import { createHash } from 'node:crypto';

const TOP_FRAMES = 5;
const NODE_FRAME = /^\s*at (?:async )?(?:(.+?) \((.+)\)|(.+))$/;
const PYTHON_FRAME = /^\s*File "(.+)", line \d+, in (.+)$/;

/** The frames of a Node.js stack or a Python traceback, normalised, innermost first. */
export function normalisedFrames(stack: string): string[] {
  const node: string[] = [];
  const python: string[] = [];
  for (const line of stack.split('\n')) {
    const n = NODE_FRAME.exec(line);
    if (n) {
      node.push(normaliseFrame(n[1] ?? '', n[2] ?? n[3] ?? ''));
      continue;
    }
    const p = PYTHON_FRAME.exec(line);
    if (p) python.push(normaliseFrame(p[2]!, p[1]!));
  }
  // A traceback lists the outermost call first; keep the innermost (where it was raised) first.
  return node.length > 0 ? node : python.reverse();
}

/** `fn (file)` with the location reduced to a base name, and no digits anywhere. */
function normaliseFrame(fn: string, location: string): string {
  const file = location.replace(/\s*\{$/, '').replace(/^file:\/\//, '').replace(/(:\d+)+$/, '').split(/[\\/]/).pop() ?? '';
  return `${fn.trim()} (${file})`.replace(/\d+/g, '#').replace(/^ \(/, '(');
}

export function exceptionFingerprint(type: string, stack: string): string {
  const frames = normalisedFrames(stack).slice(0, TOP_FRAMES);
  return createHash('sha256').update([type, ...frames].join('\n')).digest('hex').slice(0, 16);
}
