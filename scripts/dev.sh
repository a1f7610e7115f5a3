#!/usr/bin/env bash
# Install everything, then run the main job: the embedded control plane with the controller, the
# seed's Redis RGD and an instance, followed until the instance is ACTIVE, then left running until
# Ctrl-C (pass --exit-after-demo to stop as soon as it is ACTIVE).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"
exec kro dev --demo examples/redis "$@"
