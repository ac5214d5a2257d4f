#!/usr/bin/env bash
# The inbox in a real browser: Debian's chromium driven by playwright-core (from npm, into
# infra/browser/node_modules), against the real `frontdesk serve` and `frontdesk` commands.
#
#   ./infra/browser.sh install   # chromium (apt, when /usr/bin/chromium is missing) and playwright-core
#   ./infra/browser.sh test      # install, build the frontdesk binary, run infra/browser/*.test.mjs
#
# `./infra/test.sh` runs `test`. Needs root for apt-get (as on the project's machines and CI).
set -euo pipefail
cd "$(dirname "$0")/.."

install() {
    if [ ! -x /usr/bin/chromium ]; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    fi
    if [ ! -d infra/browser/node_modules/playwright-core ]; then
        (cd infra/browser && npm install --no-audit --no-fund --loglevel=error)
    fi
}

case "${1:-test}" in
    install)
        install
        ;;
    test)
        install
        # The workspace's bins with its test build's features (as lambda_bootstraps builds them),
        # so after `cargo test --workspace` nothing is compiled again.
        cargo build --quiet --workspace --bins --examples
        target="${CARGO_TARGET_DIR:-target}"
        export FRONTDESK_BIN="$(cd "$target/debug" && pwd)/frontdesk"
        for test in infra/browser/*.test.mjs; do
            echo "node $test"
            node "$test"
        done
        ;;
    *)
        echo "usage: $0 install|test" >&2
        exit 2
        ;;
esac
