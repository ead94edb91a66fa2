#!/usr/bin/env bash
# The GPU check, run ON a GPU host (no build there), from the repository root, with .device/ from
# gpu-native/prepare-device.sh carried along:   gpu-native/gpu-check.sh OUT_DIR
# Writes full logs to OUT_DIR (8 files: the device tool brings back at most 8) and prints the summary
# tables last. Exit status 0 only if every check passed; 3 when there is no usable GPU (it stops
# before anything else). About 7 minutes on an H100; steps are cut so that the whole check ends
# within DOCPROC_CHECK_SECONDS (default 470).
#
#   0. a Java 25 (the carried one unless one is on the PATH) and a usable GPU, else stop
#   1. every kernel against its CPU reference on fresh random inputs, a CUDA-graph replay
#      (dev.docproc.gpu.check.GpuCheck)
#   2. the engine end to end on the tiny reference fixtures on the CUDA backend: vision features,
#      logits, greedy / penalized / batched tokens against transformers (cli.ReferenceCheck)
#   3. the synthetic full-size model (published 3B shapes, random weights, 3.4 GB) written here
#   4. the model card's three workloads on it: single-stream latency, 8/16/32 in flight, the decode
#      floor, PyTorch (tools/reference/bench_torch.py, fp16, the carried wheels) as the peer
set -uo pipefail
out=${1:?usage: gpu-native/gpu-check.sh OUT_DIR}
dev=${DEVICE_DIR:-.device}
synth=${DOCPROC_SYNTH_DIR:-/tmp/docproc-synth-3b}
mkdir -p "$out"
start=$(date +%s)
log="$out/steps.log"
status=0
step() { echo "== $1 ($(( $(date +%s) - start )) s)" | tee -a "$log"; }
# every step's time limit is its own or what is left of the whole check's (default 470 s), so the
# summary is printed before the device tool's limit
deadline=$((start + ${DOCPROC_CHECK_SECONDS:-470}))
limit() { local left=$((deadline - $(date +%s) - 15)); echo $(( left < $1 ? (left > 10 ? left : 10) : $1 )); }

step "0. Java and GPU"
java=java
if ! java -version 2>&1 | grep -q 'version "25'; then
  mkdir -p /tmp/docproc-jre
  tar xJf "$dev/jre.txz" -C /tmp/docproc-jre 2>>"$log" \
    || python3 -c "import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])" \
      "$dev/jre.txz" /tmp/docproc-jre 2>>"$log" \
    || { echo "no Java 25: $dev/jre.txz missing or unreadable (run gpu-native/prepare-device.sh)"; exit 1; }
  java=/tmp/docproc-jre/jre/bin/java
fi
cp_jar="$dev/docproc-device.jar"
jvm=("$java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED)
{ date -u; nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.sm,clocks.mem --format=csv;
  "$java" -version; python3 -c "import sys, torch, transformers; print(sys.version.split()[0], 'torch', torch.__version__, 'transformers', transformers.__version__)";
  nproc; free -g; } > "$out/environment.txt" 2>&1
if ! "${jvm[@]}" -cp "$cp_jar" dev.docproc.gpu.check.GpuCheck --probe 2>>"$log" | tee -a "$log"; then
  echo "GPU check cannot run here (see above)."
  exit 3
fi

step "1. kernels vs CPU references"
timeout "$(limit 240)" "${jvm[@]}" -Xmx8g -cp "$cp_jar" dev.docproc.gpu.check.GpuCheck "$out" >>"$log" 2>&1 || status=1

step "2. engine end to end on the reference fixtures (CUDA)"
timeout "$(limit 150)" "${jvm[@]}" -Xmx4g -cp "$cp_jar" dev.docproc.inference.engine.cli.ReferenceCheck \
  --fixtures ejb-inference/src/test/resources/reference --compute cuda \
  > "$out/end-to-end.txt" 2>>"$log" || status=1

step "3. synthetic full-size model"
if [ ! -f "$synth/model.safetensors" ]; then
  timeout "$(limit 150)" "${jvm[@]}" -Xmx8g -cp "$cp_jar" dev.docproc.inference.engine.cli.SyntheticModel \
    --out "$synth" >>"$log" 2>&1 || status=1
fi

step "4. model card workloads, PyTorch peer"
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
  --target /tmp/docproc-site "$dev"/wheels/*.whl >>"$log" 2>&1 \
  && export PYTHONPATH=/tmp/docproc-site
timeout "$(limit 330)" "${jvm[@]}" -Xmx24g -cp "$cp_jar" dev.docproc.inference.engine.cli.ProfileBench \
  --model "$synth" --compute cuda --repeat 3 --concurrency 8,16,32 --budget-seconds 100 \
  --json "$out/profiles.json" --peer-seconds 170 \
  --peer "PYTHONUNBUFFERED=1 python3 tools/reference/bench_torch.py --model $synth --threads $(nproc) --device cuda --dtype float16 --profiles {profiles} --concurrency {concurrency} --repeat 3 --budget-seconds 90" \
  > "$out/profiles.md" 2>>"$log" || status=1

echo
echo "== summary ($(( $(date +%s) - start )) s; logs in $out)"
sed -n 2,3p "$out/environment.txt"
if [ -f "$out/gpu-check-table.txt" ]; then cat "$out/gpu-check-table.txt"; else echo "kernels: no table (see steps.log)"; fi
echo
grep -E 'FAIL|end-to-end:' "$out/end-to-end.txt" 2>/dev/null || echo "end-to-end: no result (see steps.log)"
grep -m 3 -E 'CUDA graph capture failed|Exception|Error:' "$log"
[ -s "$out/profiles.md" ] && cat "$out/profiles.md" \
  || echo "profiles: no table (see steps.log; profiles.json holds what was measured)"
exit $status
