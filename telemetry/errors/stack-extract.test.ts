import { describe, expect, it } from 'vitest';
import { extractExceptions } from './stack-extract.js';

const at = new Date('2026-12-05T12:00:00Z');
const output = (text: string) => text.split('\n').map((line) => ({ text: line, at }));

// Printed by Node.js 20 for an uncaught TypeError in a timer (node t1.js), verbatim.
const NODE_UNCAUGHT = `/tmp/t1.js:2
function handler() { const o = undefined; return o.x; }
                                                   ^

TypeError: Cannot read properties of undefined (reading 'x')
    at handler (/tmp/t1.js:2:52)
    at Timeout._onTimeout (/tmp/t1.js:3:18)
    at listOnTimeout (node:internal/timers:581:17)
    at process.processTimers (node:internal/timers:519:7)

Node.js v20.20.2`;

// An unhandled rejection of an Error with a code: the properties follow the frames.
const NODE_REJECTION = `[eval]:1
Promise.reject(Object.assign(new Error('db down'), {code:'ECONNREFUSED'}))
                             ^

Error: db down
    at [eval]:1:30
    at node:internal/main/eval_string:51:3 {
  code: 'ECONNREFUSED'
}

Node.js v20.20.2`;

// Python 3.11, an exception raised from another (raise … from e), verbatim but for one frame.
const PYTHON_CHAINED = `Traceback (most recent call last):
  File "/tmp/t3.py", line 6, in main
    parse("{bad")
  File "/usr/lib/python3.11/json/decoder.py", line 353, in raw_decode
    obj, end = self.scan_once(s, idx)
               ^^^^^^^^^^^^^^^^^^^^^^
json.decoder.JSONDecodeError: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)

The above exception was the direct cause of the following exception:

Traceback (most recent call last):
  File "/tmp/t3.py", line 9, in <module>
    main()
  File "/tmp/t3.py", line 8, in main
    raise KeyError("config 17") from e
KeyError: 'config 17'`;

describe('extractExceptions', () => {
  it('finds a Node.js uncaught exception: type, message and the frames as the stack', () => {
    expect(extractExceptions(output(NODE_UNCAUGHT))).toEqual([{
      type: 'TypeError',
      message: "Cannot read properties of undefined (reading 'x')",
      stack: NODE_UNCAUGHT.split('\n').slice(4, 9).join('\n'),
      at,
    }]);
  });

  it('finds an unhandled rejection and an error with a code', () => {
    const found = extractExceptions(output(`${NODE_REJECTION}\nError [ERR_HTTP_HEADERS_SENT]: Cannot set headers after they are sent\n    at ServerResponse.setHeader (node:_http_outgoing:659:11)`));
    expect(found.map((e) => [e.type, e.message, e.stack.split('\n').length])).toEqual([
      ['Error', 'db down', 3],
      ['Error', 'Cannot set headers after they are sent', 2],
    ]);
  });

  it('takes a chained Python traceback as one exception, the last, with the whole chain', () => {
    const found = extractExceptions(output(`starting\n${PYTHON_CHAINED}\nserver stopped`));
    expect(found).toEqual([{ type: 'KeyError', message: "'config 17'", stack: PYTHON_CHAINED, at }]);
  });

  it('finds a plain Python traceback and one without a message', () => {
    const found = extractExceptions(output('Traceback (most recent call last):\n  File "/app/app.py", line 3, in <module>\n    raise SystemError\nSystemError'));
    expect(found.map((e) => [e.type, e.message])).toEqual([['SystemError', '']]);
  });

  it.each([
    ['ordinary lines', 'GET /cart 200\nError: not a stack, no frames follow\nlisting at 5 places'],
    ['a traceback still being written', 'Traceback (most recent call last):\n  File "/app/app.py", line 3, in <module>'],
    ['JSON log lines', '{"level":"error","msg":"boom"}'],
  ])('finds nothing in %s', (_what, text) => {
    expect(extractExceptions(output(text))).toEqual([]);
  });
});
