#!/usr/bin/env bash
# Set up and start Atelier on http://127.0.0.1:8000 (SQLite file under ./data/ by default).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh run
# No per-message compression: it costs ~45 % more CPU per relayed drag and is done per connection,
# undoing "encode once per audience" (bench/README.md).
exec .venv/bin/python -m uvicorn app.main:app --host "${ATELIER_HOST:-127.0.0.1}" --port "${ATELIER_PORT:-8000}" \
  --ws-per-message-deflate false
