#!/usr/bin/env bash
# Measures what a cold GitHub-hosted runner spends before tollgate starts scanning: the
# action's own install script (action/install.sh) downloading SHA256SUMS and the release
# archive, verifying the checksum, unpacking into an empty tool cache and running
# `tollgate -V` once.
#
#   scripts/cold-run.sh [BINARY]
#
# BINARY (default target/release/tollgate, built when missing) is packaged with
# scripts/package.sh under the archive name the install script asks for on this machine, and
# served from 127.0.0.1 by a small server that adds what the network adds on a hosted runner:
# a redirect per file (GitHub sends release downloads to its CDN), LATENCY_MS of delay per
# request (default 150) and a bandwidth cap of RATE_MIB MiB/s (default 10; hosted runners
# usually download release assets far faster). Prints the time in seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

binary=${1:-target/release/tollgate}
if [ ! -x "$binary" ]; then
  echo "building $binary (cargo build --release -p tollgate-cli)" >&2
  cargo build --release --locked -p tollgate-cli --bin tollgate >&2
fi
version=0.0.0-coldrun
case "$(uname -m)" in
  aarch64 | arm64) arch=ARM64; target=aarch64-unknown-linux-musl ;;
  *) arch=X64; target=x86_64-unknown-linux-musl ;;
esac

work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/srv/v$version" "$work/runner/tool-cache" "$work/runner/temp"
bash scripts/package.sh "$version" "$target" "$binary" "$work/srv/v$version" >/dev/null
cat "$work/srv/v$version"/*.sha256 >"$work/srv/v$version/SHA256SUMS"
size=$(wc -c <"$work/srv/v$version/tollgate-$version-$target.tar.gz" | tr -d ' ')

python3 - "$work/srv" "$work/port" "${LATENCY_MS:-150}" "${RATE_MIB:-10}" <<'PY' &
import http.server, os, sys, time
root, port_file, latency, rate = sys.argv[1], sys.argv[2], float(sys.argv[3]) / 1000, float(sys.argv[4]) * 1024 * 1024

class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        time.sleep(latency)
        if not self.path.startswith("/cdn/"):
            # The release URL answers with a redirect, as github.com does.
            self.send_response(302)
            self.send_header("Location", "/cdn" + self.path)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        path = os.path.normpath(os.path.join(root, self.path[len("/cdn/"):]))
        if not path.startswith(root) or not os.path.isfile(path):
            self.send_error(404)
            return
        data = open(path, "rb").read()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        chunk = 64 * 1024
        for start in range(0, len(data), chunk):
            self.wfile.write(data[start:start + chunk])
            time.sleep(chunk / rate)

server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(port_file + ".tmp", port_file)
server.serve_forever()
PY
server_pid=$!
for _ in $(seq 1 100); do
  [ -f "$work/port" ] && break
  sleep 0.05
done
port=$(cat "$work/port")

start=$(date +%s.%N)
env -i PATH="$PATH" HOME="$work" \
  RUNNER_OS=Linux RUNNER_ARCH="$arch" \
  RUNNER_TOOL_CACHE="$work/runner/tool-cache" RUNNER_TEMP="$work/runner/temp" \
  GITHUB_OUTPUT="$work/runner/output" \
  TOLLGATE_ACTION_REF="v$version" TOLLGATE_ACTION_PATH="$PWD" \
  TOLLGATE_DOWNLOAD_URL="http://127.0.0.1:$port" \
  bash action/install.sh
end=$(date +%s.%N)
grep -q '^mode=release$' "$work/runner/output"
awk -v s="$start" -v e="$end" -v size="$size" -v latency="${LATENCY_MS:-150}" -v rate="${RATE_MIB:-10}" 'BEGIN {
  printf "cold install: %.2f s (archive %.1f MiB, %s ms per request, %s MiB/s)\n", e - s, size / 1048576, latency, rate
}'
