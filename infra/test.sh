#!/usr/bin/env bash
# Frontdesk's one test command: formatting, lints, every test in the workspace, and the SAM
# template checked and built.
# Run from anywhere: `./infra/test.sh`. CI runs exactly this (see .ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "cargo fmt --all -- --check"
cargo fmt --all -- --check

step "cargo clippy --workspace --all-targets -- -D warnings"
cargo clippy --workspace --all-targets --quiet -- -D warnings

step "moto (local DynamoDB, SQS, S3, CloudFormation, Secrets Manager for the AWS tests)"
trap './infra/moto.sh stop' EXIT
# Assigned first: `eval "$(...)"` alone would hide a failed start from `set -e`.
moto_env="$(./infra/moto.sh start)"
eval "$moto_env"

step "cargo test --workspace"
# Every test process keeps its log lines here for the secret scan below.
export FRONTDESK_TEST_LOG_DIR="$PWD/target/test-logs"
rm -rf "$FRONTDESK_TEST_LOG_DIR"
cargo test --workspace

step "no secret in any log line the suite wrote (scan-logs)"
cargo run --quiet -p frontdesk-testkit --bin scan-logs -- "$FRONTDESK_TEST_LOG_DIR"

step "./infra/browser.sh test (the inbox in Debian's chromium through playwright-core)"
./infra/browser.sh test

step "./infra/sam.sh validate (sam validate --lint, cfn-lint; offline)"
./infra/sam.sh validate

step "./infra/sam.sh build --debug (sam build through cargo-lambda, every function's arm64 bootstrap, no Docker)"
# The deployable build is `./infra/sam.sh build` (release); --debug is the same arm64 build
# through sam and cargo-lambda without optimisations, several times faster.
./infra/sam.sh build --debug
