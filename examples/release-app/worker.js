// A background process type: no port, no routes; `devflow ps:scale <app> worker=1` runs it.
console.log('worker started');
const timer = setInterval(() => {}, 60_000);
process.on('SIGTERM', () => {
  clearInterval(timer);
  process.exit(0);
});
