#!/usr/bin/env bash
# Install everything, then run the main job: the embedded control plane with the controller, the
# seed's Redis RGD and an instance, watched until the instance is ACTIVE. Pass --keep to leave it running.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"
exec kro dev --demo examples/redis "$@"
