#!/usr/bin/env bash
# Re-make the conformance vectors: tests/vectors/make_vectors.sh [BIN-DIR]
# Removes every case directory under tests/vectors/ and writes them again (see README.md).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=$(cd "${1:-$here/../../build/bin}" && pwd)
find "$here" -mindepth 1 -maxdepth 1 -type d -exec rm -rf {} +
exec python3 "$here/make_vectors.py" "$bin" "$here"
