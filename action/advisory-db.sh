#!/usr/bin/env bash
# Refreshes the OSV advisory database that the action caches between runs (one cache entry
# per day). A failed refresh keeps the restored copy and says so; without any copy the deps
# stage asks the OSV API instead. Never fails the job by itself.
#
# Environment: TOLLGATE_BIN, TOLLGATE_CACHE_DIR (the cached directory), CACHE_RESTORED_KEY
# (the key actions/cache restored, empty on a miss), CACHE_HIT (true on an exact-key hit).
set -uo pipefail

bin=${TOLLGATE_BIN:?}
dir=${TOLLGATE_CACHE_DIR:?}
mkdir -p "$dir"
if [ "${CACHE_HIT:-false}" = "true" ]; then
  echo "tollgate: advisory database restored from today's cache ($dir)" >&2
  exit 0
fi
if "$bin" db update --cache-dir "$dir" >&2; then
  echo "tollgate: advisory database refreshed ($dir)" >&2
  # Only a complete refresh is worth saving as today's cache entry.
  echo "refreshed=true" >>"${GITHUB_OUTPUT:-/dev/null}"
elif [ -n "${CACHE_RESTORED_KEY:-}" ]; then
  echo "::warning title=tollgate advisory database::refreshing the advisory database failed; using the cached copy (${CACHE_RESTORED_KEY})"
else
  echo "::warning title=tollgate advisory database::refreshing the advisory database failed and no cached copy exists; the deps stage will query the OSV API"
fi
exit 0
