#!/usr/bin/env bash
# The AWS SAM stack (template.yaml) checked and built here, without AWS credentials or Docker,
# with pinned tools in the project-local virtualenv (./.venv, shared with infra/moto.sh).
#
#   ./infra/sam.sh install          aws-sam-cli, cargo-lambda (brings zig) and cfn-lint into ./.venv
#                                   when missing, and the aarch64-unknown-linux-gnu Rust target
#   ./infra/sam.sh validate         `sam validate` (the SAM transform), `sam validate --lint`,
#                                   `cfn-lint template.yaml` and cfn-lint on the transformed
#                                   template, offline
#   ./infra/sam.sh build            `sam build`: every function for arm64 (what deploys), release
#                                   profile, cargo-lambda + zig, no Docker; then checks each
#                                   .aws-sam/build/<Function>/bootstrap is an arm64 binary and prints
#                                   its size, its zipped size and the build time
#   ./infra/sam.sh build --debug    the same arm64 build without optimizations (SAM_BUILD_MODE=debug):
#                                   minutes faster, what the test command runs
#   ./infra/sam.sh sam ARGS...      the pinned sam itself (deploy, logs, local invoke, ...)
#
# cargo-lambda builds into the workspace's target/ (target/aarch64-unknown-linux-gnu/), sharing
# the host build scripts and proc-macros with the other builds; CargoLambda.toml keeps the
# workspace's release profile. `sam local invoke` needs Docker; tests/tests/it/lambda_bootstraps/
# runs the same events against the real bootstraps without it.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

venv="$root/.venv"
sam_cli_version="1.170.0"
cargo_lambda_version="1.9.2"
cfn_lint_version="1.58.0"
arm64_target="aarch64-unknown-linux-gnu"
region="eu-west-1"

say() { printf 'sam.sh: %s\n' "$*" >&2; }
die() {
    say "error: $*"
    exit 1
}

# The pinned tools, importable from the venv at the pinned versions.
installed() {
    [[ -x "$venv/bin/sam" && -x "$venv/bin/cargo-lambda" && -x "$venv/bin/cfn-lint" ]] &&
        "$venv/bin/python" - "$sam_cli_version" "$cargo_lambda_version" "$cfn_lint_version" <<'PY' 2>/dev/null
import sys
from importlib.metadata import version
wanted = dict(zip(["aws-sam-cli", "cargo-lambda", "cfn-lint"], sys.argv[1:]))
sys.exit(0 if all(version(name) == v for name, v in wanted.items()) else 1)
PY
}

install() {
    if ! installed; then
        command -v python3 >/dev/null || die "python3 is required"
        local started=$SECONDS
        say "installing aws-sam-cli $sam_cli_version, cargo-lambda $cargo_lambda_version, cfn-lint $cfn_lint_version into $venv"
        [[ -x "$venv/bin/python" ]] || python3 -m venv "$venv" >&2
        "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
            "aws-sam-cli==$sam_cli_version" "cargo-lambda==$cargo_lambda_version" "cfn-lint==$cfn_lint_version" >&2 ||
            die "pip install failed"
        installed || die "the pinned tools are not usable from $venv after install"
        say "installed in $((SECONDS - started)) s"
    fi
    if command -v rustup >/dev/null && ! rustup target list --installed | grep -qx "$arm64_target"; then
        say "adding the Rust target $arm64_target"
        rustup target add "$arm64_target" >&2 || die "rustup target add $arm64_target failed"
    fi
}

# Runs a command with the venv's tools first on PATH and no AWS credentials or profile: nothing
# here talks to AWS.
offline() {
    env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN -u AWS_PROFILE \
        -u AWS_DEFAULT_PROFILE -u AWS_ENDPOINT_URL \
        PATH="$venv/bin:$PATH" \
        AWS_DEFAULT_REGION="$region" AWS_REGION="$region" \
        AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true \
        SAM_CLI_TELEMETRY=0 "$@"
}

validate() {
    install
    say "sam validate (the SAM transform)"
    offline sam validate --template template.yaml
    say "sam validate --lint"
    offline sam validate --lint --template template.yaml
    say "cfn-lint template.yaml"
    offline cfn-lint template.yaml
    # cfn-lint on the SAM template does not see everything the transform generates: a function
    # environment referencing the HttpApi (whose routes reference the functions) passes it, and
    # only the transformed template shows the circular dependency CloudFormation would refuse.
    local transformed
    transformed="$(mktemp --suffix .json)"
    offline "$venv/bin/python" - "$transformed" <<'PY'
import json, sys
from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse
with open("template.yaml") as f:
    template = yaml_parse(f.read())
# `sam package` puts each function's S3 location in CodeUri; any valid one does here.
for resource in template["Resources"].values():
    if resource["Type"] == "AWS::Serverless::Function":
        resource["Properties"]["CodeUri"] = "s3://frontdesk-artifacts/function.zip"
class NoManagedPolicyNames:  # the template names no AWS managed policy to look up
    def load(self):
        return {}
with open(sys.argv[1], "w") as f:
    json.dump(transform(template, {}, NoManagedPolicyNames()), f, indent=1)
PY
    say "cfn-lint on the transformed (CloudFormation) template"
    offline cfn-lint "$transformed" || {
        rm -f "$transformed"
        die "the transformed template does not lint"
    }
    rm -f "$transformed"
    say "template.yaml is valid (SAM transform, cfn-lint before and after it, $region)"
}

# The template's function logical ids, one a line.
functions() {
    "$venv/bin/python" - <<'PY'
from samtranslator.yaml_helper import yaml_parse
with open("template.yaml") as f:
    template = yaml_parse(f.read())
for logical_id, resource in template["Resources"].items():
    if resource["Type"] == "AWS::Serverless::Function":
        print(logical_id)
PY
}

# Checks each built bootstrap: present, an arm64 ELF executable; prints its size and (with `zip`
# first) its zipped size.
check_bootstraps() {
    "$venv/bin/python" - "$@" <<'PY'
import io, os, sys, zipfile
machines = {183: "arm64", 62: "x86_64"}
zipped = sys.argv[1] == "zip"  # a debug build's size says nothing about what deploys
missing = []
print(f"{'function':<26} {'arch':<7} {'bootstrap bytes':>16} {'zipped bytes':>13}")
for logical_id in sys.argv[2:]:
    path = os.path.join(".aws-sam", "build", logical_id, "bootstrap")
    if not os.path.isfile(path):
        missing.append(path)
        print(f"{logical_id:<26} MISSING {path}")
        continue
    with open(path, "rb") as f:
        data = f.read()
    arch = machines.get(int.from_bytes(data[18:20], "little"), "?") if data[:4] == b"\x7fELF" else "not ELF"
    size = "-"
    if zipped:
        # As `sam deploy` packages it: one deflated entry.
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr(zipfile.ZipInfo("bootstrap"), data, zipfile.ZIP_DEFLATED)
        size = buffer.tell()
    print(f"{logical_id:<26} {arch:<7} {len(data):>16} {size:>13}")
    if arch != "arm64":
        missing.append(f"{path} is {arch}, not arm64")
    elif not os.access(path, os.X_OK):
        missing.append(f"{path} is not executable")
if missing:
    sys.exit("not built: " + "; ".join(missing))
PY
}

build() {
    local mode="release"
    case "${1:-}" in
    "") ;;
    --debug) mode="debug" ;;
    *) die "usage: $0 build [--debug]" ;;
    esac
    install
    local -a ids
    mapfile -t ids < <(functions)
    ((${#ids[@]} > 0)) || die "no AWS::Serverless::Function in template.yaml"
    rm -rf .aws-sam/build
    say "sam build: ${#ids[@]} functions, arm64, $mode profile (cargo-lambda + zig, no Docker)"
    local started=$SECONDS
    if [[ $mode == debug ]]; then
        # No debug info: it is most of a debug bootstrap's size and link time, and nothing here
        # debugs the arm64 build.
        offline env SAM_BUILD_MODE=debug CARGO_PROFILE_DEV_DEBUG=0 sam build --beta-features --template template.yaml
    else
        offline sam build --beta-features --template template.yaml
    fi
    local took=$((SECONDS - started))
    if [[ $mode == debug ]]; then
        check_bootstraps nozip "${ids[@]}"
    else
        check_bootstraps zip "${ids[@]}"
    fi
    say "sam build: ${#ids[@]} arm64 bootstraps ($mode) in ${took} s"
}

case "${1:-}" in
install) install ;;
validate) validate ;;
build)
    shift
    build "$@"
    ;;
sam)
    shift
    install
    PATH="$venv/bin:$PATH" SAM_CLI_TELEMETRY=0 exec sam "$@"
    ;;
*)
    say "usage: $0 install|validate|build [--debug]|sam ARGS..."
    exit 2
    ;;
esac
