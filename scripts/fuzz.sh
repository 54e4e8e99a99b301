#!/usr/bin/env bash
# `make fuzz`: each cargo-fuzz target of topup-core for FUZZ_SECONDS (60 by
# default), or FUZZ_RUNS executions when that is set. New inputs go to a
# scratch directory, so the committed seed corpora only change on purpose;
# crashes land in fuzz/artifacts/<target>/ and fail the run.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
export PATH="$HOME/.cargo/bin:$PATH"
if ! command -v cargo-fuzz >/dev/null; then
  cargo install cargo-fuzz --version 0.13.2 --locked
fi
# cargo-fuzz passes nightly flags (-Z); the machine's toolchain is stable.
export RUSTC_BOOTSTRAP=1
# Instrumented builds get their own target directory: sharing one with the
# workspace's ordinary builds would make each evict the other's artifacts.
if [ -n "${CARGO_TARGET_DIR:-}" ]; then
  export CARGO_TARGET_DIR="$CARGO_TARGET_DIR/fuzz"
fi
targets=(amount clara_answer dispersed_answer canonical)
limit=(-max_total_time="${FUZZ_SECONDS:-60}")
if [ -n "${FUZZ_RUNS:-}" ]; then limit=(-runs="$FUZZ_RUNS"); fi
cargo fuzz build --sanitizer none --release
for t in "${targets[@]}"; do
  scratch=$(mktemp -d -t "topup-fuzz-$t-XXXXXX")
  echo "== $t"
  status=0
  cargo fuzz run --sanitizer none --release "$t" "$scratch" "corpus/$t" -- "${limit[@]}" -print_final_stats=1 \
    >"$scratch.log" 2>&1 || status=$?
  grep -E "^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::average_exec_per_sec|stat::new_units_added)" "$scratch.log" || true
  if [ "$status" -ne 0 ]; then
    rm -rf "$scratch"
    tail -40 "$scratch.log" >&2
    echo "fuzz: $t failed (exit $status); the input is in fuzz/artifacts/$t/" >&2
    exit 1
  fi
  rm -rf "$scratch" "$scratch.log"
done
