#!/usr/bin/env bash
# Load test of the public badge page: a release build on embedded SQLite, one badge issued
# through the admin API, then wrk at 64 connections (the target: 3,000 requests/s with a p99
# under 25 ms on a 2-core machine). wrk shares the machine with the server, as it would on CI.
#
# usage: benches/load/badge-page.sh [SECONDS] [CONNECTIONS]     (needs wrk: apt-get install wrk)
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-20}
connections=${2:-64}
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 2; }

cargo build --release --quiet
bin=$PWD/target/release/insigne
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export INSIGNE_PUBLIC_URL=http://127.0.0.1:$port INSIGNE_LISTEN=127.0.0.1:$port INSIGNE_LOG=error
export INSIGNE_CATALOGUE=$PWD/examples/catalogue/ecap.toml
cd "$work"
token=$("$bin" tokens create --scope admin)
"$bin" serve & server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done

api() { curl -sf -H "Authorization: Bearer $token" -H 'Content-Type: application/json' "$@"; }
class=$(api "http://127.0.0.1:$port/api/v1/badge-classes" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')
page=$(api -X POST "http://127.0.0.1:$port/api/v1/awards" \
  -d "{\"badge_class\": \"$class\", \"recipient\": {\"email\": \"marie@ac-versailles.fr\", \"name\": \"Marie Curie\"}}" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["links"]["page"])')
echo "badge page: $page"
curl -sf -o /dev/null -w 'one request: %{http_code}, %{size_download} bytes, %{time_total} s\n' "$page"
wrk -t2 -c"$connections" -d"${seconds}s" --latency -H 'Accept: text/html' -H 'Accept-Language: fr' "$page"
