#!/usr/bin/env bash
# Runs every fuzz target for SECONDS (default 60) each, one after the other, starting from the
# seeds in fuzz/seeds/ and the corpus it grows in fuzz/corpus/ (not committed). Needs the nightly
# toolchain and cargo-fuzz (`cargo install cargo-fuzz`). Prints, per target, the executions and
# whether anything crashed (crashes are kept in fuzz/artifacts/).
#   fuzz/run.sh [SECONDS] [TARGET…]
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}; shift || true
targets=("$@"); [[ ${#targets[@]} -gt 0 ]] || targets=(bundle_bytes signed_payload csv_file xlsx_file identity_file certificate_payload)
for t in "${targets[@]}"; do
  mkdir -p "fuzz/corpus/$t"
  log=$(mktemp)
  cargo +nightly fuzz run -O "$t" "fuzz/corpus/$t" "fuzz/seeds/$t" -- \
    -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=4096 -print_final_stats=1 >"$log" 2>&1
  status=$?
  runs=$(grep -o 'Done [0-9]* runs' "$log" | grep -o '[0-9]*' || echo "?")
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "$runs")
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
  if [[ $status -eq 0 ]]; then verdict="nothing found"; else verdict="FOUND (exit $status): $(grep -m1 -E 'panicked|ERROR|SUMMARY' "$log")"; fi
  echo "$t: ${execs} executions in ${seconds} s, ${cov:-cov ?}, $(ls "fuzz/corpus/$t" | wc -l) corpus entries — $verdict"
  [[ $status -eq 0 ]] || tail -n 40 "$log"
  rm -f "$log"
done
