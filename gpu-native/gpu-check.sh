#!/usr/bin/env bash
# The GPU check, run ON a GPU host (no build there): needs .device/ from prepare-device.sh and a
# Java 25 on the PATH (tar xzf .device/jre.tgz -C /tmp && export PATH=/tmp/jre/bin:$PATH).
# Usage, from the repository root: gpu-native/gpu-check.sh OUT_DIR
# Writes full logs to OUT_DIR and prints the summary tables last. Exit status 0 only if all passed.
#
# Steps:
#   1. every kernel against its CPU reference on fresh random inputs, and a CUDA-graph replay
#      (dev.docproc.gpu.check.GpuCheck; about a minute)
#   2. [not yet] the engine end-to-end on the tiny reference fixtures with the CUDA backend
#   3. [not yet] the synthetic full-size model: latency/throughput profiles, PyTorch peer
# Steps 2 and 3 are added once the engine's compute-backend interface (ejb-inference,
# dev.docproc.inference.engine.compute) is merged and its CUDA backend exists; each appends its
# table to the summary below and must finish within the 8-minute total.
set -uo pipefail
out=${1:?usage: gpu-native/gpu-check.sh OUT_DIR}
dev=${DEVICE_DIR:-.device}
mkdir -p "$out"
start=$(date +%s)
status=0

{ date -u; nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.sm,clocks.mem --format=csv; java -version; } \
  > "$out/environment.txt" 2>&1

echo "== 1. kernels vs CPU references"
timeout 360 java --enable-native-access=ALL-UNNAMED -Xmx8g -cp "$dev/lib/*" \
  dev.docproc.gpu.check.GpuCheck "$out" > "$out/kernels.out" 2>&1 || status=1
tail -n 3 "$out/kernels.out"

echo
echo "== summary ($(( $(date +%s) - start )) s; logs in $out)"
head -n 2 "$out/environment.txt" | tail -n 1
if [ -f "$out/gpu-check-table.txt" ]; then cat "$out/gpu-check-table.txt"; else tail -n 20 "$out/kernels.out"; fi
exit $status
