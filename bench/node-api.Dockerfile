# A hand-written multi-stage Dockerfile for examples/node-api: the peer of the buildpacks build in
# bench/build.ts. Dependencies install in their own stage from package.json + the lockfile only,
# so a source-only change reuses that stage; the host CA bundle arrives as BuildKit secret "ca".
FROM devflow/stack-build:bookworm AS deps
ARG NPM_CONFIG_REGISTRY
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=secret,id=ca,target=/tmp/ca.crt \
    NODE_EXTRA_CA_CERTS=/tmp/ca.crt npm_config_cafile=/tmp/ca.crt npm ci --omit=dev --no-audit --no-fund

FROM devflow/stack-run:bookworm
WORKDIR /workspace
COPY --from=deps /app/node_modules ./node_modules
COPY . .
ENV NODE_ENV=production
USER app
CMD ["node", "server.js"]
