#!/usr/bin/env bash
# Prepares, on a build machine, everything gpu-check.sh needs on a GPU host that has no build tools,
# in .device/ (git-ignored; the device tool carries it), within the tool's 64 MiB for the whole
# working tree (the script fails if .device/ alone passes 40 MiB):
#   .device/docproc-device.jar  the engine (ejb-inference, shaded) with gpu-native's kernels.fatbin and
#                               JCuda; natives cut to libJCudaDriver (the driver API is all we use) and
#                               without the tokenizer's (the checks run on token ids)
#   .device/jre.txz             a jlink'd Java 25 without the desktop module, xz-compressed
#   .device/wheels/*.whl        Python packages bench_torch.py (the PyTorch peer) needs that the GPU
#                               image lacks: compressed-tensors 0.18.0 and its pure-Python needs, and
#                               pydantic-core for CPython 3.12 (device README's wheel recipe)
# Needs nvcc (gpu-native/install-nvcc.sh): a jar without kernels cannot be checked.
# Usage, from the repository root: gpu-native/prepare-device.sh
set -euo pipefail
root=$(pwd)
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
dev=.device
start=$(date +%s)

./mvnw -q -B -pl ejb-inference -am package -DskipTests -Dgpu.kernels.required=true
mkdir -p "$dev"
jar="$dev/docproc-device.jar"
cp ejb-inference/target/docproc-engine.jar "$jar"
# what the GPU check never loads: other JCuda libraries, the tokenizer's Rust libraries, JNA's natives
zip -q -d "$jar" 'lib/libJNvPTXCompiler*' 'lib/libJCudaRuntime*' 'native/*' \
  'com/sun/jna/*/libjnidispatch*' 'com/sun/jna/*/jnidispatch.dll' >/dev/null
entries=$(unzip -l "$jar")
grep -q 'dev/docproc/gpu/kernels.fatbin' <<<"$entries" \
  || { echo "prepare-device: $jar has no kernels.fatbin" >&2; exit 1; }
grep -q 'lib/libJCudaDriver-.*-linux-x86_64.so' <<<"$entries" \
  || { echo "prepare-device: $jar has no libJCudaDriver" >&2; exit 1; }

if [ ! -f "$dev/jre.txz" ]; then
  tmp=$(mktemp -d)
  "$JAVA_HOME/bin/jlink" \
    --add-modules java.base,java.logging,java.management,jdk.management,jdk.incubator.vector,jdk.unsupported \
    --strip-debug --no-header-files --no-man-pages --output "$tmp/jre" 2>&1 | grep -v 'incubator modules' || true
  XZ_OPT=-9 tar cJf "$dev/jre.txz" -C "$tmp" jre
  rm -rf "$tmp"
fi

if [ ! -f "$dev/wheels/.complete" ]; then
  rm -rf "$dev/wheels" && mkdir -p "$dev/wheels"
  python3 -m pip download -q --disable-pip-version-check --no-deps --only-binary=:all: \
    --python-version 3.12 --implementation cp --platform manylinux_2_28_x86_64 \
    --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 -d "$dev/wheels" \
    compressed-tensors==0.18.0 pydantic==2.14.4 pydantic-core==2.50.5 annotated-types==0.8.0 \
    typing-inspection==0.4.5 typing-extensions==4.16.0 loguru==0.7.3
  touch "$dev/wheels/.complete"
fi

size=$(du -sk "$dev" | cut -f1)
du -sh "$jar" "$dev/jre.txz" "$dev/wheels"
echo "prepare-device: $dev is $((size / 1024)) MiB, ready in $(( $(date +%s) - start )) s"
if [ "$size" -gt $((40 * 1024)) ]; then
  echo "prepare-device: $dev is over 40 MiB; with the working tree it would not fit the 64 MiB the device tool carries" >&2
  exit 1
fi
