/**
 * Finds uncaught exceptions in an instance's output (issue 18, error grouping). Pure: lines in,
 * exceptions out. Two shapes are recognised, as the runtimes print them on stderr:
 *
 * - Node.js: an `ErrorType: message` (or `Error [CODE]: message`) line followed by `    at …`
 *   frames (the V8 stack trace format, https://v8.dev/docs/stack-trace-api), as printed for an
 *   uncaught exception or an unhandled rejection, and by `console.error(err)`;
 * - Python: a `Traceback (most recent call last):` block of `  File "…", line N, in fn` frames
 *   ending with the unindented `Type: message` line. A chained traceback ("The above exception
 *   was the direct cause…", "During handling of the above exception…") is one exception: the
 *   last one, with the whole chain as its stack.
 */

export interface OutputLine {
  text: string;
  at: Date;
}

export interface ExtractedException {
  type: string;
  message: string;
  /** The trace as printed: the header line and its frames (Node), or the traceback (Python). */
  stack: string;
  at: Date;
}

const NODE_HEADER = /^([A-Za-z_$][\w$.]*)(?: \[[A-Z0-9_]+\])?(?:: (.*))?$/;
const NODE_FRAME = /^\s+at \S/;
const PYTHON_START = 'Traceback (most recent call last):';
const PYTHON_CHAIN = [
  'The above exception was the direct cause of the following exception:',
  'During handling of the above exception, another exception occurred:',
];
const PYTHON_END = /^([A-Za-z_][\w.]*)(?:: (.*))?$/;

export function extractExceptions(lines: readonly OutputLine[]): ExtractedException[] {
  const found: ExtractedException[] = [];
  /** Where the chain the next Python traceback belongs to began, if it continues one. */
  let chain: { start: number; at: Date } | undefined;
  let i = 0;
  while (i < lines.length) {
    const text = lines[i]!.text;
    if (text.trimEnd() === PYTHON_START) {
      const end = pythonEnd(lines, i);
      if (end === undefined) break; // the traceback is still being written
      const start = chain?.start ?? i;
      const [, type, message] = PYTHON_END.exec(lines[end]!.text)!;
      found.push({ type: type!, message: message ?? '', stack: joinLines(lines, start, end), at: chain?.at ?? lines[i]!.at });
      chain = continuesChain(lines, end + 1) ? { start, at: chain?.at ?? lines[i]!.at } : undefined;
      if (chain) found.pop(); // the last traceback of the chain is the exception
      i = end + 1;
      continue;
    }
    const header = NODE_HEADER.exec(text);
    if (header && NODE_FRAME.test(lines[i + 1]?.text ?? '')) {
      let end = i + 1;
      while (NODE_FRAME.test(lines[end + 1]?.text ?? '')) end++;
      found.push({ type: header[1]!, message: header[2] ?? '', stack: joinLines(lines, i, end), at: lines[i]!.at });
      i = end + 1;
      continue;
    }
    i++;
  }
  return found;
}

/** The index of the traceback's closing `Type: message` line, or undefined if not there yet. */
function pythonEnd(lines: readonly OutputLine[], start: number): number | undefined {
  for (let j = start + 1; j < lines.length; j++) {
    const text = lines[j]!.text;
    if (text.startsWith(' ')) continue;
    return PYTHON_END.test(text) ? j : undefined;
  }
  return undefined;
}

/** Whether, after a blank line or two, a chain sentence says another traceback follows. */
function continuesChain(lines: readonly OutputLine[], from: number): boolean {
  for (let j = from; j < lines.length && j < from + 3; j++) {
    const text = lines[j]!.text.trim();
    if (PYTHON_CHAIN.includes(text)) return true;
    if (text !== '') return false;
  }
  return false;
}

function joinLines(lines: readonly OutputLine[], start: number, end: number): string {
  return lines.slice(start, end + 1).map((l) => l.text).join('\n');
}
