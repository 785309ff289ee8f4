// A steady HTTP load from its own process: `rate` requests per second through the router with
// the app's Host header, over keep-alive connections, until stdin closes or a stop line
// arrives. Prints one JSON line of counts when it stops. Bounded: it stops by itself after
// `maxSeconds` and keeps at most `concurrency` requests in flight.
//
// With `retryUnsent` = 1 a request that never reached a server is sent again, as a browser
// would: a refused connection (nothing listens: DevFlow is restarting), or a reused keep-alive
// connection the server closed just as the request went out (Node's documented race; the
// request was not processed). Such retries are counted in `resent`, and a request counts once.
import http from 'node:http';

const [port, host, rate, maxSeconds, concurrency, retryUnsent] = process.argv.slice(2);
const agent = new http.Agent({ keepAlive: true, maxSockets: Number(concurrency) });
const counts = { sent: 0, ok: 0, status5xx: 0, otherStatus: 0, errors: 0, inFlightLimit: 0, resent: 0, samples: [] };
let inFlight = 0;
let stopping = false;

function fire() {
  if (inFlight >= Number(concurrency)) {
    counts.inFlightLimit++;
    return;
  }
  inFlight++;
  counts.sent++;
  send();
}

function send() {
  const req = http.get({ host: '127.0.0.1', port: Number(port), path: '/', headers: { host }, agent, timeout: 10_000 }, (res) => {
    let body = '';
    res.setEncoding('utf8');
    res.on('data', (d) => (body += d));
    res.on('end', () => {
      inFlight--;
      if (res.statusCode >= 200 && res.statusCode < 300) counts.ok++;
      else if (res.statusCode >= 500) record('status5xx', `${res.statusCode} ${body.slice(0, 120)}`);
      else record('otherStatus', `${res.statusCode}`);
    });
  });
  req.on('timeout', () => req.destroy(new Error('timeout')));
  req.on('error', (err) => {
    const unsent = err.code === 'ECONNREFUSED' || (req.reusedSocket && err.code === 'ECONNRESET');
    if (retryUnsent === '1' && unsent && !stopping) {
      counts.resent++;
      setTimeout(send, 20);
      return;
    }
    inFlight--;
    record('errors', err.message);
  });
}

function record(kind, sample) {
  counts[kind]++;
  if (counts.samples.length < 10) counts.samples.push(sample);
}

const interval = 1000 / Number(rate);
let next = performance.now();
function tick() {
  if (stopping) return;
  const now = performance.now();
  while (next <= now) {
    fire();
    next += interval;
  }
  setTimeout(tick, Math.max(0, next - performance.now()));
}
tick();

async function stop() {
  if (stopping) return;
  stopping = true;
  while (inFlight > 0) await new Promise((r) => setTimeout(r, 20));
  process.stdout.write(`${JSON.stringify(counts)}\n`);
  process.exit(0);
}
process.stdin.on('data', (d) => d.toString().includes('stop') && stop());
process.stdin.on('end', stop);
setTimeout(stop, Number(maxSeconds) * 1000);
