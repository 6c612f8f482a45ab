#!/usr/bin/env bash
# schemathesis (--checks all) against a served instance holding real data: the example
# catalogue, an issuer, a badge class, an award, the Moodle sample imported. 0 failures or exit 1.
#
#   bash .ci/schemathesis.sh                 # builds target/debug/insigne if it is missing
#   INSIGNE_BIN=target/release/insigne bash .ci/schemathesis.sh
set -euo pipefail
cd "$(dirname "$0")/.."

SCHEMATHESIS_VERSION=4.32.5
BIN=${INSIGNE_BIN:-target/debug/insigne}
[ -x "$BIN" ] || cargo build -q --bin insigne
if ! schemathesis --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
  python3 -m pip install -q --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

WORK=$(mktemp -d)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE=http://127.0.0.1:$PORT
export INSIGNE_DATABASE_URL="sqlite://$WORK/insigne.db" INSIGNE_KEYS_DIR="$WORK/keys" \
  INSIGNE_LISTEN="127.0.0.1:$PORT" INSIGNE_PUBLIC_URL="$BASE" \
  INSIGNE_CATALOGUE=examples/catalogue/ecap.toml INSIGNE_LOG=warn
"$BIN" serve >"$WORK/serve.log" 2>&1 &
SERVER=$!
finish() {
  local rc=$?
  kill $SERVER 2>/dev/null || true
  wait $SERVER 2>/dev/null || true
  # A failure shows what the service logged (errors and warnings) before its folder goes.
  [ "$rc" -eq 0 ] || { echo "--- the service's log:"; tail -n 40 "$WORK/serve.log"; }
  rm -rf "$WORK"
}
trap finish EXIT
for _ in $(seq 1 100); do curl -fsS "$BASE/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
curl -fsS "$BASE/healthz" >/dev/null || { cat "$WORK/serve.log"; exit 1; }

TOKEN=$("$BIN" tokens create --scope admin)
AUTH="Authorization: Bearer $TOKEN"
json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
post() { curl -fsS -X "$1" "$BASE$2" -H "$AUTH" -H "Content-Type: $3" --data-binary "$4"; }

ISSUER=$(post POST /api/v1/issuers application/json \
  '{"name": "DANE de l'\''académie de Versailles", "url": "https://www.ac-versailles.fr", "email": "dane@ac-versailles.fr"}' | json '["id"]')
IMAGE="data:image/svg+xml;base64,$(printf '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><circle cx="32" cy="32" r="30" fill="#000091"/></svg>' | base64 -w0)"
CLASS=$(post POST /api/v1/badge-classes application/json \
  '{"issuer": "'"$ISSUER"'", "name": "Tutorat", "description": "Atteste un tutorat.", "image": "'"$IMAGE"'", "criteria": {"narrative": "Avoir tutoré un parcours."}}' | json '["id"]')
AWARD=$(post POST /api/v1/awards application/json \
  '{"badge_class": "'"$CLASS"'", "recipient": {"email": "marie.curie@ac-versailles.fr", "name": "Marie Curie"}}' | json '["id"]')
post POST /api/v1/completions/import text/csv "@examples/moodle/progress.e-cap_2025-2026.csv" >/dev/null
MESSAGE=$(curl -fsS "$BASE/api/v1/notifications" -H "$AUTH" | json '["items"][0]["id"]')

# The ids that exist, so that the generated requests reach them as well as ones that do not.
cat >"$WORK/schemathesis.toml" <<TOML
$(cat .ci/schemathesis.toml)

[[operations]]
include-path-regex = "^/api/v1/issuers/"
parameters = { id = "$ISSUER" }

[[operations]]
include-path-regex = "^/api/v1/badge-classes/"
parameters = { id = "$CLASS" }

[[operations]]
include-path-regex = "^/api/v1/awards/\\\\{id\\\\}"
parameters = { id = "$AWARD" }

[[operations]]
include-path-regex = "^/api/v1/notifications/"
parameters = { id = "$MESSAGE" }
TOML

schemathesis --config-file "$WORK/schemathesis.toml" run "$BASE/api/openapi.json" \
  --checks all -H "$AUTH" --max-examples "${SCHEMATHESIS_EXAMPLES:-30}" --seed "${SCHEMATHESIS_SEED:-1}" \
  --request-timeout 30 --warnings off
