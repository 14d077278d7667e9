# syntax=docker/dockerfile:1
# backup-schedule-hook image. Build: docker build -t <registry>/backup-schedule-hook:<tag> .
# The base is pinned to an exact Node.js release; to pin its digest as well, append
# @sha256:... from `docker buildx imagetools inspect node:<tag>` (see docs/install.md).
ARG NODE_IMAGE=node:22.23.3-alpine3.24

# 1. build: full toolchain (dev dependencies, TypeScript), compiles src/ (and the JSON it
#    imports) into dist/.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# src imports JSON schemas from hooks/ (compiled into dist/hooks/).
COPY hooks ./hooks
RUN npm run build

# 2. deps: production dependencies only.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force

# 3. runtime: compiled JavaScript and production dependencies, owned by root and read-only
#    for the non-root user that runs them. No HEALTHCHECK: Kubernetes probes /healthz and /readyz.
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=8080
WORKDIR /app
# package.json carries "type": "module", which dist/ needs at run time.
COPY package.json ./
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# uid/gid 1000 is the image's `node` user; numeric so that runAsNonRoot can verify it.
USER 1000:1000
EXPOSE 8080
STOPSIGNAL SIGTERM
CMD ["node", "dist/src/main.js"]
