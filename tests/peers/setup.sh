#!/usr/bin/env bash
# The shared kit's setup.sh; in this repository the installer is scripts/install-peers.sh
# (same peers, same venv location, also repairs a broken venv and installs python3-venv).
exec "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/scripts/install-peers.sh" "$@"
