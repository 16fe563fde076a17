#!/usr/bin/env bash
# Serve the app and run the background worker beside it; Ctrl-C stops both.
set -euo pipefail
port="${1:-8000}"
bin=.venv/bin
$bin/python manage.py db_worker --queue-name default >var/worker.log 2>&1 &
worker=$!
$bin/python manage.py scheduler >var/scheduler.log 2>&1 &
scheduler=$!
trap 'kill $worker $scheduler 2>/dev/null || true' EXIT INT TERM
echo "Shezhi: http://127.0.0.1:${port}/  (worker log: var/worker.log)"
$bin/python manage.py runserver "127.0.0.1:${port}" --noreload
