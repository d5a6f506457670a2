#!/usr/bin/env bash
# flexsync's demo: the real flow against the bundled TaskRouter emulator and the sample exports.
#   validate → plan (diff + HTML report) → apply → plan again (no changes)
# for agents (Workday XML → worker attributes) and customers (Salesforce CSV → open tasks).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${FLEXSYNC_BIN_DIR:-.build/release}"
OUT="demo-out"
rm -rf "$OUT" examples/jobs/.flexsync
mkdir -p "$OUT"

"$BIN/taskrouter-emulator" --port 0 --seed examples/emulator/demo-workspace.json \
  --state-out "$OUT/emulator-state.json" --log "$OUT/emulator-requests.jsonl" > "$OUT/emulator.out" 2>&1 &
EMULATOR=$!
trap 'kill $EMULATOR 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do grep -q '^listening ' "$OUT/emulator.out" 2>/dev/null && break; sleep 0.1; done
URL=$(sed -n 's/^listening //p' "$OUT/emulator.out")
[ -n "$URL" ] || { echo "demo: the emulator did not start" >&2; cat "$OUT/emulator.out" >&2; exit 1; }

# The emulator's demo account. With a real account, export your own and drop FLEXSYNC_BASE_URL.
export TWILIO_ACCOUNT_SID=ACdddddddddddddddddddddddddddddddd TWILIO_AUTH_TOKEN=demo-auth-token
export FLEXSYNC_BASE_URL="$URL"
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
expect() { local want=$1; shift; set +e; "$@"; local got=$?; set -e
  [ "$got" = "$want" ] || { echo "demo: '$*' exited $got, expected $want" >&2; exit 1; }; }

step "TaskRouter emulator at $URL (300 workers with Flex-owned attributes, 40 open tasks)"

step "1. validate the Workday export (no network)"
expect 0 "$BIN/flexsync" validate examples/jobs/workday-workers.yaml

step "2. plan: what would change, key by key (exit 2 = changes pending)"
expect 2 "$BIN/flexsync" plan examples/jobs/workday-workers.yaml --out "$OUT/workers-plan.json" --report "$OUT/workers-report.html"

step "3. apply the reviewed plan"
expect 0 "$BIN/flexsync" apply "$OUT/workers-plan.json" --yes --summary-json "$OUT/workers-summary.json"

step "4. plan again: nothing left to do (exit 0)"
expect 0 "$BIN/flexsync" plan examples/jobs/workday-workers.yaml

step "4b. someone else edits a managed key in Flex (as Flex SSO does at login): the next plan reports drift and keeps it"
SID=$(grep -o '"sid": "WK[0-9a-f]*"' "$OUT/workers-plan.json" | head -n 1 | sed 's/.*"\(WK[0-9a-f]*\)"/\1/')
WORKER_URL="$URL/v1/Workspaces/$(sed -n 's/.*workspace_sid: *\(WS[0-9a-f]*\).*/\1/p' examples/jobs/workday-workers.yaml | head -n 1)/Workers/$SID"
# The worker's attributes document, unescaped from the JSON string TaskRouter returns it in.
DOC=$(curl -s -u "$TWILIO_ACCOUNT_SID:$TWILIO_AUTH_TOKEN" "$WORKER_URL" \
  | sed -n 's/.*"attributes":"\(\([^"\\]\|\\.\)*\)".*/\1/p' | sed 's/\\\\/\x01/g; s/\\"/"/g; s/\x01/\\/g')
DOC=$(printf '%s' "$DOC" | sed 's/"team_name":"[^"]*"/"team_name":"Renamed By SSO"/')
curl -s -o /dev/null -u "$TWILIO_ACCOUNT_SID:$TWILIO_AUTH_TOKEN" --data-urlencode "Attributes=$DOC" "$WORKER_URL"
expect 0 "$BIN/flexsync" plan examples/jobs/workday-workers.yaml --report "$OUT/workers-drift-report.html" > "$OUT/workers-drift.txt"
grep -A1 '^drift' "$OUT/workers-drift.txt"
grep -q "team_name: flexsync wrote" "$OUT/workers-drift.txt" || { echo "demo: the drifted key is not in the report" >&2; exit 1; }

step "5. customers: Salesforce contacts onto open tasks (validate, plan, apply, plan)"
expect 0 "$BIN/flexsync" validate examples/jobs/salesforce-customers.yaml
expect 2 "$BIN/flexsync" plan examples/jobs/salesforce-customers.yaml --out "$OUT/customers-plan.json" --report "$OUT/customers-report.html" --format markdown
expect 0 "$BIN/flexsync" apply "$OUT/customers-plan.json" --yes
expect 0 "$BIN/flexsync" plan examples/jobs/salesforce-customers.yaml

kill -TERM $EMULATOR; wait $EMULATOR 2>/dev/null || true
trap - EXIT

step "6. check the HTML report in a headless browser"
BROWSER=$(command -v chromium || command -v chromium-browser || true)
if [ -n "$BROWSER" ]; then
  "$BROWSER" --headless --no-sandbox --disable-gpu --dump-dom "file://$PWD/$OUT/workers-report.html" > "$OUT/workers-report.dom.html" 2>/dev/null
  grep -q 'id="summary">72 workers to change' "$OUT/workers-report.dom.html" && grep -q 'id="chart-keys"' "$OUT/workers-report.dom.html" \
    && echo "report renders: summary, gates, charts and the change table are there" \
    || { echo "demo: the report did not render as expected" >&2; exit 1; }
else
  echo "(chromium not installed: skipped; 'apt-get install chromium' to check the report in a browser)"
fi

step "done"
echo "reports:  $OUT/workers-report.html  $OUT/workers-drift-report.html  $OUT/customers-report.html"
echo "plans:    $OUT/workers-plan.json  $OUT/customers-plan.json"
echo "emulator: $OUT/emulator-state.json (final state), $OUT/emulator-requests.jsonl (every request)"
