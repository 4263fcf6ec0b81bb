# Fulfill: one image for every process; its command picks the role (see docs/docker.md).
#   docker build -t fulfill .
#   docker run fulfill                  ingest: the Stripe webhook receiver (default)
#   docker run fulfill worker           worker: turns queued jobs into orders and emails
#   docker run fulfill migrate          applies the database migrations, then exits
#   docker run fulfill stripe-emulator  local Stripe API emulator, for trials without Stripe
#   docker run fulfill ops failed       ops: the operator command line (docs/operations.md)
#
# Node 24 runs the TypeScript sources directly (type stripping): there is no build step. Node refuses to
# strip types in files under node_modules, so the workspace packages stay at their real paths
# (/app/apps/*, /app/packages/*) and node_modules only links to them. That is why this file installs the
# workspace's production dependencies in place instead of using `pnpm deploy`, which would copy the
# workspace packages into node_modules.

FROM node:24-bookworm-slim AS base
WORKDIR /app

# ---- deps: the production dependencies of every workspace package, exactly as the lockfile has them.
FROM base AS deps
RUN npm install --global pnpm@10.34.9
# The lockfile first: `pnpm fetch` downloads every package it names into the store, in a layer that is
# rebuilt only when the lockfile changes. It needs no package.json, so no list of workspace packages here
# can fall out of date.
COPY pnpm-lock.yaml pnpm-workspace.yaml .npmrc ./
RUN pnpm fetch --prod
# Then the whole context (.dockerignore keeps node_modules, tests and secrets out) and an offline install
# from that store: it only links, so it takes seconds; --frozen-lockfile fails on a stale lockfile.
COPY . .
RUN pnpm install --offline --prod --frozen-lockfile

# ---- runtime: node, production node_modules, the sources at their real paths; no pnpm, no tests.
FROM base AS runtime
ENV NODE_ENV=production
# A young generation of 4 MiB semi-spaces, as the start scripts set: about 100 MiB less per process under load, at
# no cost in throughput (bench/results.md). Set NODE_OPTIONS to override it.
ENV NODE_OPTIONS=--max-semi-space-size=4
# The root node_modules (pnpm's virtual store, .pnpm) and each workspace package with its own node_modules,
# whose links point into the root one and, for @fulfill/* packages, to /app/apps/* and /app/packages/*.
COPY --from=deps /app/node_modules ./node_modules
COPY --from=deps /app/packages ./packages
COPY --from=deps /app/apps ./apps
# The root manifest's "type": "module" makes the scripts ES modules.
COPY --from=deps /app/package.json ./
COPY --from=deps /app/scripts/role.ts /app/scripts/healthcheck.ts ./scripts/
# Files stay owned by root: the app may read its code, not change it.
USER node
# ingest: PORT (3000); worker: /healthz, /readyz and /metrics on METRICS_PORT (9464).
EXPOSE 3000 9464
# The same command for every role: without an argument the script probes the ingest's and the worker's
# /readyz (readiness, not mere liveness) and passes when one answers 200 (scripts/healthcheck.ts says why).
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 CMD ["node", "scripts/healthcheck.ts"]
# node runs the role in its own process, so SIGTERM reaches the app's graceful shutdown. Give it time to
# finish (SHUTDOWN_TIMEOUT_MS, 25 s by default): `docker stop --time 35`, or stop_grace_period in compose.
ENTRYPOINT ["node", "scripts/role.ts"]
CMD ["ingest"]
