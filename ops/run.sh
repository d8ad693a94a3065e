#!/usr/bin/env bash
# Quick start: installs what is missing, builds, and runs `xyd serve` on the embedded log.
# Data stays under ./data unless XYD_DATA or --data says otherwise; other flags go to xyd serve.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/ops/setup.sh"
exec "${XYD_BUILD_DIR:-$root/build}/ops/xyd" serve --data "${XYD_DATA:-./data}" --log embedded "$@"
