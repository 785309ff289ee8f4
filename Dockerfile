# DevFlow's own image, for compose.yaml. Apps are built by DevFlow, not by this file.
FROM node:20-bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends git docker.io tar ca-certificates openssl postgresql-client-15 \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/devflow
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY . .
RUN npm run build && npm prune --omit=dev
ENTRYPOINT ["node", "bin/devflow.js"]
CMD ["up"]
