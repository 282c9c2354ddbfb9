#!/usr/bin/env bash
# Builds test/integration/consumer against EagerJIT two ways and runs it:
#   (a) add_subdirectory of the source tree;
#   (b) the library built alone, `cmake --install`ed into a prefix, then
#       find_package(eagerjit) with CMAKE_PREFIX_PATH set to that prefix.
# Usage: consumer_test.sh <eagerjit source dir> <scratch dir>
# The scratch dir is reused between runs (incremental builds); each step's
# output goes to a log there, printed only when the step fails.
set -euo pipefail
if (( $# != 2 )); then
  echo "usage: $0 <eagerjit source dir> <scratch dir>" >&2
  exit 2
fi
src=$(cd "$1" && pwd)
mkdir -p "$2"
scratch=$(cd "$2" && pwd)
consumer=$src/test/integration/consumer
prefix=$scratch/prefix
jobs=${EJ_JOBS:-$(nproc)}
# The consumers' compiled kernels go to a disk cache here, not the user's.
export EJ_JIT_DISK_CACHE=$scratch/kernel-cache

# The same generator, build type and MLIR as scripts/build; ccache when there.
common=(-G Ninja -DCMAKE_BUILD_TYPE=Release
        -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir)
if command -v ccache >/dev/null; then
  common+=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi

# step NAME COMMAND...: runs COMMAND with its output in $scratch/NAME.log.
step() {
  local name=$1 log=$scratch/$1.log
  shift
  if ! "$@" >"$log" 2>&1; then
    echo "FAILED: $name: $*" >&2
    tail -n 100 "$log" >&2
    exit 1
  fi
}

echo "== (a) add_subdirectory"
step sub-configure cmake "${common[@]}" -S "$consumer" -B "$scratch/sub" \
  -DEJ_CONSUMER_MODE=subdirectory -DEJ_SOURCE_DIR="$src"
step sub-build cmake --build "$scratch/sub" -j "$jobs"
"$scratch/sub/consumer"

echo "== (b) find_package after cmake --install"
# A fresh prefix each time: a file the install no longer writes must not
# make the test pass.
rm -rf "$prefix"
step lib-configure cmake "${common[@]}" -S "$src" -B "$scratch/lib" \
  -DEJ_BUILD_TOOLS=OFF -DEJ_BUILD_TESTS=OFF -DEJ_BUILD_BENCH=OFF \
  -DEJ_BUILD_EXAMPLES=OFF -DCMAKE_INSTALL_PREFIX="$prefix"
step lib-build cmake --build "$scratch/lib" -j "$jobs"
step lib-install cmake --install "$scratch/lib"
# Reconfigure from scratch so the package is looked up again in the new prefix.
rm -rf "$scratch/pkg"
step pkg-configure cmake "${common[@]}" -S "$consumer" -B "$scratch/pkg" \
  -DEJ_CONSUMER_MODE=package -DCMAKE_PREFIX_PATH="$prefix"
step pkg-build cmake --build "$scratch/pkg" -j "$jobs"
"$scratch/pkg/consumer"
echo "consumer_test: both ways passed"
