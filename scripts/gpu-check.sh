#!/usr/bin/env bash
# The CUDA checks, on a machine with an NVIDIA GPU, of binaries built elsewhere (nvcc is not needed
# there). Build them on a machine without a GPU:
#
#   source ../shared/cuda/setup-cuda-build.sh
#   scripts/gpu-check.sh build          # -> target/gpu/{reference_parity,overhead}.gz (~14 MB each)
#
# then, on the GPU machine, in a copy of this repository that holds target/gpu:
#
#   scripts/gpu-check.sh run [OUT_DIR]  # CUDA parity (float64 strict, float32 loose), then the bench
#
# The binaries need libcudart/libcublas/libcublasLt 13 and libcurand 10 (PyTorch's nvidia/cu13/lib
# is used when python3 can import `nvidia`) and the driver's libcuda.so.1.
set -euo pipefail
cd "$(dirname "$0")/.."

case "${1:-}" in
build)
    export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target/cuda}
    mkdir -p target/gpu
    for kind in "test --release --test reference_parity" "bench --bench overhead"; do
        name=${kind##* }
        exe=$(cargo $kind --features cuda --no-run --message-format json 2>/dev/null |
            python3 -c 'import json,sys; print([m["executable"] for m in map(json.loads, sys.stdin) if m.get("executable")][-1])')
        strip -o "target/gpu/$name" "$exe"
        gzip -f "target/gpu/$name"
        ls -la "target/gpu/$name.gz"
    done
    ;;
run)
    out=${2:-${OUT:-target/gpu/out}}
    mkdir -p "$out"
    if lib=$(python3 -c 'import nvidia, os; print(os.path.join(nvidia.__path__[0], "cu13", "lib"))' 2>/dev/null); then
        export LD_LIBRARY_PATH=$lib:${LD_LIBRARY_PATH:-}
    fi
    export CARGO_MANIFEST_DIR=$PWD
    for name in reference_parity overhead; do
        gunzip -kf "target/gpu/$name.gz"
        chmod +x "target/gpu/$name"
    done
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv | tee "$out/device.txt" || true
    status=0
    target/gpu/reference_parity cuda --test-threads 1 2>&1 | tee "$out/parity.txt" || status=1
    SYOPS_BENCH_DEVICE=cuda target/gpu/overhead --bench 2>&1 | tee "$out/bench.txt" || status=1
    exit $status
    ;;
*)
    echo "usage: scripts/gpu-check.sh build | run [OUT_DIR]" >&2
    exit 2
    ;;
esac
