// DevFlow's pre-receive hook program (githooks(5), "pre-receive"). Plain JavaScript with no
// dependencies, so it runs the same from source (tsx) and from a compiled install (dist/).
//
// git runs it after the pushed objects arrive and before any ref moves. They are still in git's
// quarantine folder (GIT_QUARANTINE_PATH), so the hook sends that folder with each ref update and
// the server reads the pushed tree from it (receiver/trees.ts) while this hook waits for the
// verdict; git keeps the folder until the hook exits. Everything written to stderr reaches the pusher as `remote:` lines through git's
// sideband; exit 1 rejects the whole push and no ref is updated.
import { request } from 'node:http';
import { createInterface } from 'node:readline';
import { resolve } from 'node:path';

const { DEVFLOW_HOOK_URL: url, DEVFLOW_HOOK_SECRET: secret, GIT_QUARANTINE_PATH: quarantine } = process.env;

function say(text) {
  process.stderr.write(`${text}\n`);
}

async function readUpdates() {
  const updates = [];
  for await (const line of createInterface({ input: process.stdin })) {
    const [oldSha, newSha, ref] = line.trim().split(' ');
    if (oldSha && newSha && ref) updates.push({ oldSha, newSha, ref, ...(quarantine ? { quarantine: resolve(quarantine) } : {}) });
  }
  return updates;
}

/** POSTs one update; node:http rather than fetch, whose body timeout would cut long deploys. */
function post(update) {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify(update);
    const req = request(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    });
    req.on('response', resolve);
    req.on('error', reject);
    req.end(body);
  });
}

/** Streams the server's frames to stderr; returns true when the verdict is ok. */
async function runUpdate(update) {
  const response = await post(update);
  response.setEncoding('utf8');
  let verdict = null;
  const handle = (line) => {
    const space = line.indexOf(' ');
    const kind = space < 0 ? line : line.slice(0, space);
    const text = space < 0 ? '' : line.slice(space + 1);
    if (kind === 'log') return say(text);
    if (kind === 'ok' || kind === 'fail') {
      verdict = kind;
      if (text) say(kind === 'fail' ? `! ${text}` : text);
    }
  };
  for await (const line of createInterface({ input: response, crlfDelay: Infinity })) handle(line);
  if (verdict === null) say('! the deploy service ended without a verdict');
  return verdict === 'ok';
}

async function main() {
  if (!url || !secret) {
    say('! this repository only accepts pushes through DevFlow');
    return 1;
  }
  for (const update of await readUpdates()) {
    if (!(await runUpdate(update))) return 1;
  }
  return 0;
}

main().then(
  (code) => (process.exitCode = code),
  (err) => {
    say(`! push failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
