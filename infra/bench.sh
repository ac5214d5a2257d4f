#!/usr/bin/env bash
# Benchmarks that need more than `cargo bench`: a moto server for the AWS figures.
#   ./infra/bench.sh booking   free slots (criterion: 60 days, 500 appointments) and the booking
#                              commit's latency on SQLite and on DynamoDB + SQS (moto)
#   ./infra/bench.sh voice     a booking-by-phone turn's latency (offer, book) through the route
#                              table on SQLite and on DynamoDB + SQS (moto)
#   ./infra/bench.sh reminders 1,000 reminders due in one minute: the tick and the notify
#                              consumer on the embedded queue against a Twilio stand-in (SMS)
#   ./infra/bench.sh reminder-calls [N] [CPS]
#                              the same by voice: N calls placed at CPS calls per second
#                              (default 1,000 at 25), the busiest second printed against CPS
#   ./infra/bench.sh inbox [N] the owner's calls page with 10,000 calls in the store: time to the
#                              whole page (first page, page 40, the filter) on SQLite and on
#                              DynamoDB + S3 (moto), and the page's weight
#   ./infra/bench.sh alerts [N] from a recording callback to the owner's SMS alert: N voicemails
#                              (default 200) through the embedded queue, the transcription and
#                              summary stand-ins and the alert consumer; p50 and p99
# Release builds: the first run compiles the workspace with the release profile.
set -euo pipefail
cd "$(dirname "$0")/.."

case "${1:-}" in
booking)
    cargo bench -p frontdesk --bench free_slots -- --warm-up-time 1 --measurement-time 3
    trap './infra/moto.sh stop' EXIT
    moto_env="$(./infra/moto.sh start)"
    eval "$moto_env"
    cargo bench -p frontdesk --bench booking_commit -- "${2:-200}"
    ;;
voice)
    trap './infra/moto.sh stop' EXIT
    moto_env="$(./infra/moto.sh start)"
    eval "$moto_env"
    cargo bench -p frontdesk --bench voice_turn -- "${2:-200}"
    ;;
reminders)
    cargo bench -p frontdesk --bench reminders -- "${2:-1000}"
    ;;
reminder-calls)
    cargo bench -p frontdesk --bench reminders -- "${2:-1000}" voice "${3:-25}"
    ;;
inbox)
    trap './infra/moto.sh stop' EXIT
    moto_env="$(./infra/moto.sh start)"
    eval "$moto_env"
    cargo bench -p frontdesk --bench inbox_page -- "${2:-200}"
    ;;
alerts)
    cargo bench -p frontdesk --bench alert_latency -- "${2:-200}"
    ;;
*)
    echo "usage: ./infra/bench.sh booking|voice|reminders|reminder-calls|inbox|alerts [bookings, calls, reminders or requests] [calls per second]" >&2
    exit 2
    ;;
esac
