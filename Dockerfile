# mailhop in a container: one hop server or one link proxy, from the JSON plan in MAILHOP_PLAN
# (harness/runtime/runtime.ts). With MAILHOP_CONTROL=host:port it reports to the chain that started
# it (the container runtime); without, it prints JSON-line events on stdout (docker compose).
#
# The build context holds dist/ (npm run build), package.json and node_modules/ with the production
# dependencies only: scripts/container-image.sh stages exactly that and builds. Any image with
# Node.js >= 20.19 at /usr/local/bin/node or on PATH will do as the base, e.g. node:20-bookworm-slim;
# scripts/container-image.sh --base-from-host makes one FROM scratch out of this machine's own node.
ARG BASE_IMAGE=node:20-bookworm-slim
FROM ${BASE_IMAGE}
WORKDIR /app
COPY package.json /app/package.json
COPY node_modules /app/node_modules
COPY dist/harness /app/dist/harness
ENV NODE_ENV=production
ENTRYPOINT ["node", "/app/dist/harness/runtime/container-entry.js"]
