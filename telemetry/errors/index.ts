/** Error grouping (issue 18): exceptions found in stderr or sent as span events, by fingerprint. */
export { exceptionFingerprint } from './fingerprint.js';
export { extractExceptions, type ExtractedException } from './stack-extract.js';
export { ErrorScanner, startErrorScanner } from './scanner.js';
export { exceptionsOfSpans } from './span-events.js';
export { listErrorGroups, recordException, recordExceptions, type ErrorGroup, type RecordedException } from './store.js';
export { sampleTraceNear } from './sample-trace.js';
