// The release phase: runs once per release, before any web instance is replaced.
console.log(`release phase: GREETING=${process.env.GREETING ?? 'unset'} for ${process.env.DEVFLOW_RELEASE}`);
if (process.env.RELEASE_FAIL) {
  console.error('release phase failed on purpose (RELEASE_FAIL)');
  process.exit(1);
}
