#!/usr/bin/env bash
# Prints the verdicts of every bundled scenario (or of the files/folders given) as normalised JSON:
# what a refactoring must leave unchanged (outcome, end to end, per-link and per-message verdicts,
# witnesses, notes, failures), without the figures that differ between runs (ports, real times, the digests of TLSA
# records, which name each run's fresh keys, and the process ids, dates and message ids in real engines' log lines).
#   bash scripts/verdict-snapshot.sh > before.json; ...change...; bash scripts/verdict-snapshot.sh | diff before.json -
# The runtime is mailhop's own choice, MAILHOP_RUNTIME (in-process by default), so one runtime against another is
#   bash scripts/verdict-snapshot.sh > in-process.json; MAILHOP_RUNTIME=workers bash scripts/verdict-snapshot.sh | diff in-process.json -
set -euo pipefail
cd "$(dirname "$0")/.."
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(scenarios)
node bin/mailhop.js run "${targets[@]}" --json 2>/dev/null | jq -S '
  def steady: walk(if type == "string" then gsub("(127\\.0\\.0\\.[0-9]+)?:[0-9]{4,5}\\b"; ":PORT") | gsub("[0-9]+(\\.[0-9]+)? ?ms\\b"; "N ms")
    | gsub("\\[[0-9]+\\]:"; "[PID]:") | gsub("[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}"; "DATE")
    | gsub("\\b[0-9A-Za-z]{6}-[0-9A-Za-z]{6}-[0-9A-Za-z]{2}\\b"; "EXIM-ID")
    | gsub("\\b(?<u>[0-3] [01] [0-2]) [0-9a-f]{16}…"; "\(.u) DIGEST…") else . end);
  [.scenarios[] | {name, passed, outcome, endToEnd, failures,
    links: [.links[]? | {link, verdict, version, cipher, attempts, witnesses, notes}],
    messages: [.messages[]? | {messageId, outcome, endToEnd,
      links: [.links[]? | {link, verdict, sessions, witnesses, crossedInClear, leak, notes}]}]}] | steady'
