#!/usr/bin/env bash
# Builds test/integration/consumer against EagerJIT two ways: through
# add_subdirectory, and through find_package after `cmake --install`.
# Usage: consumer_test.sh <eagerjit source dir> <scratch dir>
set -euo pipefail
src=$(cd "$1" && pwd)
scratch=$2
rm -rf "$scratch"
mkdir -p "$scratch"
consumer=$src/test/integration/consumer
launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi

echo "== add_subdirectory"
cmake -G Ninja -S "$consumer" -B "$scratch/sub" "${launcher[@]}" \
  -DEJ_CONSUMER_MODE=subdirectory -DEJ_SOURCE_DIR="$src" >/dev/null
cmake --build "$scratch/sub" -j 2 >/dev/null
"$scratch/sub/consumer"

echo "== find_package after install"
cmake -G Ninja -S "$src" -B "$scratch/lib" "${launcher[@]}" \
  -DEJ_BUILD_TESTS=OFF -DEJ_BUILD_BENCH=OFF \
  -DEJ_BUILD_EXAMPLES=OFF -DCMAKE_INSTALL_PREFIX="$scratch/prefix" >/dev/null
cmake --build "$scratch/lib" -j 2 >/dev/null
cmake --install "$scratch/lib" >/dev/null
cmake -G Ninja -S "$consumer" -B "$scratch/pkg" "${launcher[@]}" \
  -DEJ_CONSUMER_MODE=package -DCMAKE_PREFIX_PATH="$scratch/prefix" >/dev/null
cmake --build "$scratch/pkg" -j 2 >/dev/null
"$scratch/pkg/consumer"
