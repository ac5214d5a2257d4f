#!/usr/bin/env bash
# Coverage-guided fuzzing (libFuzzer through cargo-fuzz, nightly toolchain) of every parser that
# touches untrusted bytes. Each target starts from its committed seed corpus (fuzz/seeds/<target>,
# made from the test fixtures) and runs for SECONDS; the script prints each target's executions
# and exits 1 when any crashed (the crash input is kept under fuzz/artifacts/<target>/).
#   ./infra/fuzz.sh [SECONDS] [TARGET...]     default: 60 seconds, every target
#
# FUZZ_TRACE_COMPARES=0 builds without libFuzzer's comparison tracing (in fuzz/target-fast): the
# parsers that look words up in tables (`when`) run about four times faster, so a long run
# reaches more inputs once the corpus, grown with tracing on, has found the tables' words.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-60}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(form signature apigw_event meta twiml when engine)
fi

if ! rustup toolchain list | grep -q '^nightly'; then
    rustup toolchain install nightly --profile minimal
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi

cd fuzz
# Safe Rust: the bugs to find are panics and broken properties, so no address sanitizer
# (it would halve the executions).
build=(--sanitizer none)
if [ "${FUZZ_TRACE_COMPARES:-1}" = 0 ]; then
    build+=(--no-trace-compares)
    export CARGO_TARGET_DIR="$PWD/target-fast"
fi
cargo +nightly fuzz build "${build[@]}" >/dev/null
failed=0
printf '%-12s %14s %10s %s\n' target executions exec/s result
for target in "${targets[@]}"; do
    corpus="corpus/$target"
    mkdir -p "$corpus" "artifacts/$target"
    log="$(mktemp)"
    if cargo +nightly fuzz run "${build[@]}" "$target" "$corpus" "seeds/$target" -- \
        -max_total_time="$seconds" -print_final_stats=1 >"$log" 2>&1; then
        result=ok
    else
        result="CRASH (see fuzz/artifacts/$target/)"
        failed=1
    fi
    runs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)"
    rate="$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)"
    printf '%-12s %14s %10s %s\n' "$target" "$runs" "$rate" "$result"
    if [ "$result" != ok ]; then
        grep -E 'panicked|ERROR|SUMMARY' "$log" | head -5
    fi
    rm -f "$log"
done
exit "$failed"
