import { describe, expect, it } from 'vitest';
import { decideAgent, type AgentInputs } from './decision.js';

const ENDPOINT = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://10.0.0.1:8000' };
const inputs = (over: Partial<AgentInputs> = {}): AgentInputs => ({ env: ENDPOINT, packageJson: { name: 'shop' }, entry: '/app/server.js', ...over });

describe('decideAgent', () => {
  it.each([
    ['a CommonJS app without an SDK', inputs(), { run: true, esm: false }],
    ['an app saying "type": "module"', inputs({ packageJson: { type: 'module' } }), { run: true, esm: true }],
    ['an .mjs entry', inputs({ packageJson: undefined, entry: '/app/index.mjs' }), { run: true, esm: true }],
    ['no package.json at all', inputs({ packageJson: undefined }), { run: true, esm: false }],
    ['a package.json that is not an object', inputs({ packageJson: 'oops' }), { run: true, esm: false }],
    ['an SDK only among devDependencies (not installed in production)', inputs({ packageJson: { devDependencies: { '@opentelemetry/sdk-node': '1' } } }), { run: true, esm: false }],
    ['the OpenTelemetry API alone (no provider of its own)', inputs({ packageJson: { dependencies: { '@opentelemetry/api': '1' } } }), { run: true, esm: false }],
  ])('runs for %s', (_what, given, expected) => {
    expect(decideAgent(given)).toEqual(expected);
  });

  it.each([
    ['@opentelemetry/sdk-node', { dependencies: { '@opentelemetry/sdk-node': '^0.57.0' } }],
    ['@opentelemetry/sdk-trace-node', { dependencies: { express: '4', '@opentelemetry/sdk-trace-node': '1.30.1' } }],
    ['@opentelemetry/sdk-trace-base', { optionalDependencies: { '@opentelemetry/sdk-trace-base': '1' } }],
    ['@opentelemetry/auto-instrumentations-node', { dependencies: { '@opentelemetry/auto-instrumentations-node': '0.56' } }],
  ])('steps aside for an app depending on %s, and says so', (name, packageJson) => {
    expect(decideAgent(inputs({ packageJson }))).toEqual({ run: false, reason: `the app depends on ${name}`, tell: true });
  });

  it.each([
    '--require @opentelemetry/auto-instrumentations-node/register',
    '--max-old-space-size=256 --import @opentelemetry/auto-instrumentations-node/register',
    '-r "@opentelemetry/auto-instrumentations-node/register"',
    '--require=@opentelemetry/auto-instrumentations-node/register',
  ])('steps aside when NODE_OPTIONS preloads an SDK: %s', (NODE_OPTIONS) => {
    expect(decideAgent(inputs({ env: { ...ENDPOINT, NODE_OPTIONS } }))).toMatchObject({ run: false, tell: true });
  });

  it("DevFlow's own preload in NODE_OPTIONS is not the app's SDK", () => {
    const env = { ...ENDPOINT, NODE_OPTIONS: '--max-old-space-size=256 --require "/opt/devflow/otel/abc/agent.cjs"' };
    expect(decideAgent(inputs({ env }))).toEqual({ run: true, esm: false });
  });

  it('OTEL_NODE_AGENT=on runs it beside an SDK of the app (the override)', () => {
    const env = { ...ENDPOINT, OTEL_NODE_AGENT: 'on', NODE_OPTIONS: '--require @opentelemetry/auto-instrumentations-node/register' };
    const packageJson = { type: 'module', dependencies: { '@opentelemetry/sdk-node': '1' } };
    expect(decideAgent(inputs({ env, packageJson }))).toEqual({ run: true, esm: true });
  });

  it.each([
    ['OTEL_NODE_AGENT=off', { ...ENDPOINT, OTEL_NODE_AGENT: 'off' }, 'turned off'],
    ['OTEL_SDK_DISABLED=true', { ...ENDPOINT, OTEL_SDK_DISABLED: 'true' }, 'turned off'],
    ['no endpoint (telemetry not enabled)', {}, 'no OTLP endpoint'],
    ['no endpoint, even with OTEL_NODE_AGENT=on', { OTEL_NODE_AGENT: 'on' }, 'no OTLP endpoint'],
  ])('stays off quietly for %s', (_what, env, reason) => {
    expect(decideAgent(inputs({ env }))).toEqual({ run: false, reason, tell: false });
  });
});
