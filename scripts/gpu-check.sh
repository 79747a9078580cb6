#!/usr/bin/env bash
# The CUDA checks, on a machine with an NVIDIA GPU, of binaries built elsewhere (nvcc is not needed
# there). Build them on a machine without a GPU:
#
#   source ../shared/cuda/setup-cuda-build.sh
#   scripts/gpu-check.sh build          # -> target/gpu/*.gz (~14 MB each) and the sync counter
#
# then, on the GPU machine, in a copy of this repository that holds target/gpu:
#
#   scripts/gpu-check.sh run [OUT_DIR]
#
# which runs, writing one file each to OUT_DIR:
#   parity.txt  every reference case on the GPU, float64 strict and float32 loose
#   zoo.txt     `cargo syops zoo` on the GPU against the CPU over the committed photographs
#               (float64, the same report: `cargo syops diff`), two shards on the GPU at once
#               merged against the whole run, and the host synchronisations per batch, counted
#               by scripts/gpu-sync-count.c over 2 and over 6 batches
#   bench.txt   the overhead bench on the GPU (counted / plain)
#
# The binaries need libcudart/libcublas/libcublasLt 13 and libcurand 10 (PyTorch's nvidia/cu13/lib
# is used when python3 can import `nvidia`) and the driver's libcuda.so.1.
set -euo pipefail
cd "$(dirname "$0")/.."

BINS="reference_parity overhead cargo-syops"

case "${1:-}" in
build)
    export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target/cuda}
    mkdir -p target/gpu
    exe() { python3 -c 'import json,sys; print([m["executable"] for m in map(json.loads, sys.stdin) if m.get("executable")][-1])'; }
    pack() { strip -o "target/gpu/$1" "$2" && gzip -f "target/gpu/$1" && ls -la "target/gpu/$1.gz"; }
    pack reference_parity "$(cargo test --release --features cuda --test reference_parity --no-run --message-format json 2>/dev/null | exe)"
    pack overhead "$(cargo bench --features cuda --bench overhead --no-run --message-format json 2>/dev/null | exe)"
    pack cargo-syops "$(cargo build --release --features cuda -p cargo-syops --message-format json 2>/dev/null | exe)"
    gcc -shared -fPIC -O2 -o target/gpu/libgpu-sync-count.so scripts/gpu-sync-count.c -ldl
    ;;
run)
    out=${2:-${OUT:-target/gpu/out}}
    mkdir -p "$out"
    out=$(cd "$out" && pwd)
    if lib=$(python3 -c 'import nvidia, os; print(os.path.join(nvidia.__path__[0], "cu13", "lib"))' 2>/dev/null); then
        export LD_LIBRARY_PATH=$lib:${LD_LIBRARY_PATH:-}
    fi
    export CARGO_MANIFEST_DIR=$PWD
    for name in $BINS; do
        gunzip -kf "target/gpu/$name.gz"
        chmod +x "target/gpu/$name"
    done
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv | tee "$out/device.txt" || true
    status=0
    (time target/gpu/reference_parity cuda --test-threads 1) >"$out/parity.txt" 2>&1 || status=1
    tail -5 "$out/parity.txt"

    zoo() { target/gpu/cargo-syops syops zoo spiking_resnet18 --data syops-zoo/fixtures/images/photos "$@"; }
    work=$(mktemp -d)
    {
        echo "== the same report on the GPU as on the CPU (float64, 6 photographs, batches of 2)"
        zoo --dtype f64 --batch-size 2 --device cpu --format json -o "$work/cpu.json"
        zoo --dtype f64 --batch-size 2 --device cuda --format json -o "$work/cuda.json"
        target/gpu/cargo-syops syops diff "$work/cpu.json" "$work/cuda.json"
        python3 - "$work/cpu.json" "$work/cuda.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
assert [l["path"] for l in a["layers"]] == [l["path"] for l in b["layers"]], "different layers"
worst, exact = 0.0, 0
for x, y in zip(a["layers"], b["layers"]):
    for k in ("calls", "sum_total", "sum_macs"):
        assert x[k] == y[k], f'{x["path"]} {k}: cpu {x[k]} cuda {y[k]}'
        exact += 1
    for k in ("sum_acs", "sum_rate_pct"):
        worst = max(worst, abs(x[k] - y[k]) / max(abs(x[k]), 1e-300) if x[k] else abs(y[k]))
print(f"float64, cpu vs cuda: {exact} integer fields equal; largest relative difference of sum_acs/sum_rate_pct {worst:.3e}")
print("accuracy cpu", a.get("accuracy"), "cuda", b.get("accuracy"))
assert worst <= 1e-6, "beyond the strict tier"
PY
        zoo --dtype f64 --batch-size 2 --device cuda
        echo "== two shards at once on cuda:0, merged, against the whole run (float32, batches of 1)"
        zoo --batch-size 1 --device cuda:0 --format json -o "$work/whole.json"
        zoo --batch-size 1 --device cuda:0 --shard 0/2 --format json -o "$work/s0.json" &
        zoo --batch-size 1 --device cuda:0 --shard 1/2 --format json -o "$work/s1.json" &
        wait
        target/gpu/cargo-syops syops merge "$work/s0.json" "$work/s1.json" --format json -o "$work/merged.json"
        target/gpu/cargo-syops syops diff "$work/whole.json" "$work/merged.json"
        echo "== host synchronisations (LD_PRELOAD=libgpu-sync-count.so), batches of 1, float32"
        for n in 2 6; do
            LD_PRELOAD=$PWD/target/gpu/libgpu-sync-count.so SYOPS_SYNC_COUNT_FILE="$work/sync$n.txt" \
                zoo --batch-size 1 --limit $n --device cuda --format json -o "$work/sync$n.json"
            echo "$n batches: $(cat "$work/sync$n.txt")"
        done
        python3 - "$work/sync2.txt" "$work/sync6.txt" <<'PY'
import sys
a, b = ({k: int(v) for k, v in zip(*[iter(open(p).read().split())] * 2)} for p in sys.argv[1:3])
print("per batch (6 batches minus 2, over 4):", {k: (b[k] - a[k]) / 4 for k in a})
PY
        python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print("counted layers per forward:", sum(1 for l in r["layers"] if l.get("calls")))' "$work/sync2.json" || true
    } >"$out/zoo.txt" 2>&1 || status=1
    tail -12 "$out/zoo.txt"

    SYOPS_BENCH_DEVICE=cuda target/gpu/overhead --bench >"$out/bench.txt" 2>&1 || status=1
    tail -12 "$out/bench.txt"
    exit $status
    ;;
*)
    echo "usage: scripts/gpu-check.sh build | run [OUT_DIR]" >&2
    exit 2
    ;;
esac
