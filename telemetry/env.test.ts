import { describe, expect, it } from 'vitest';
import { otelEnv } from './env.js';

describe('otelEnv', () => {
  const input = { app: 'shop', endpoint: 'http://10.0.0.1:5000', ingestToken: 'dfi_abc' };

  it.each<[string, Partial<Parameters<typeof otelEnv>[0]>, Record<string, string | undefined>]>([
    ['the SDK variables, nothing of the agent', {}, { OTEL_SERVICE_NAME: 'shop', OTEL_EXPORTER_OTLP_HEADERS: 'x-devflow-ingest-token=dfi_abc', NODE_OPTIONS: undefined, DEVFLOW_REPORT_USAGE: undefined }],
    ['the agent preloaded', { agentOption: '--require /opt/a.cjs' }, { NODE_OPTIONS: '--require /opt/a.cjs', DEVFLOW_REPORT_USAGE: undefined }],
    ['swarm: tasks report their own usage', { agentOption: '--require /opt/a.cjs', reportUsage: true }, { DEVFLOW_REPORT_USAGE: '1' }],
    ['usage reports asked off', { reportUsage: false }, { DEVFLOW_REPORT_USAGE: undefined }],
  ])('%s', (_name, extra, expected) => {
    const env = otelEnv({ ...input, ...extra });
    for (const [key, value] of Object.entries(expected)) expect(env[key]).toBe(value);
  });
});
