/**
 * The OpenTelemetry SDK environment (OpenTelemetry specification, "Environment Variable
 * Specification"; OTLP exporter configuration) an app with telemetry enabled gets at release.
 * Pure. These are platform variables: the app's own config vars come after them, so anything
 * the user set wins (scheduler/instance-spec.ts), and the instance spec appends the release and
 * the instance to DevFlow's OTEL_RESOURCE_ATTRIBUTES.
 */

export interface OtelEnvInput {
  app: string;
  /** DevFlow's API base URL as the app's processes reach it; the SDK appends /v1/traces. */
  endpoint: string;
  ingestToken: string;
  /**
   * The NODE_OPTIONS flag preloading DevFlow's Node agent (agent/agent-files.ts), when this
   * runtime can give processes the agent's files; the instance spec appends it to the user's own.
   */
  agentOption?: string;
  /**
   * Swarm: the agent reports its task's own cgroup CPU and memory (agent/usage-report.ts), which
   * DevFlow's engine cannot read on other nodes. Not elsewhere: a host process's cgroup is not
   * its own (it may be DevFlow's container's), and docker's engine reads its containers itself.
   */
  reportUsage?: boolean;
}

export function otelEnv(input: OtelEnvInput): Record<string, string> {
  return {
    OTEL_EXPORTER_OTLP_ENDPOINT: input.endpoint,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    // Header values in this list are URL-encoded; the token is base64url, which needs none.
    OTEL_EXPORTER_OTLP_HEADERS: `x-devflow-ingest-token=${input.ingestToken}`,
    OTEL_SERVICE_NAME: input.app,
    OTEL_RESOURCE_ATTRIBUTES: `devflow.app=${input.app}`,
    OTEL_PROPAGATORS: 'tracecontext,baggage',
    OTEL_TRACES_EXPORTER: 'otlp',
    // The cloud detectors probe metadata servers that do not answer here (MACHINE.md).
    OTEL_NODE_RESOURCE_DETECTORS: 'env,host,os,process',
    ...(input.agentOption === undefined ? {} : { NODE_OPTIONS: input.agentOption }),
    ...(input.reportUsage === true ? { DEVFLOW_REPORT_USAGE: '1' } : {}),
  };
}
