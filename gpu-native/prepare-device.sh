#!/usr/bin/env bash
# Prepares, on a build machine, everything gpu-check.sh needs on a GPU host that has no build tools:
#   .device/lib/     gpu-native.jar (with kernels.fatbin) + jcuda.jar + a natives jar reduced to
#                    libJCudaDriver (the only JCuda library we use: driver API)
#   .device/jre.tgz  a jlink'd Java 25 runtime (../shared/device/make-jre.sh)
# Usage, from the repository root: gpu-native/prepare-device.sh
# Fails when nvcc is missing: a jar without kernels cannot be checked.
set -euo pipefail
root=$(pwd)
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
dev=.device
./mvnw -q -B -pl gpu-native -am package -DskipTests -Dgpu.kernels.required=true
rm -rf "$dev/lib" && mkdir -p "$dev/lib"
cp gpu-native/target/gpu-native-*.jar "$dev/lib/"
./mvnw -q -B -pl gpu-native dependency:copy-dependencies -DincludeScope=runtime \
  -DoutputDirectory="$root/$dev/deps"
cp "$dev"/deps/jcuda-[0-9]*.jar "$dev/lib/"
natives=$(ls "$dev"/deps/jcuda-natives-*-linux-x86_64.jar)
tmp=$(mktemp -d)
(cd "$tmp" && unzip -q "$root/$natives" 'lib/libJCudaDriver-*' && "$JAVA_HOME/bin/jar" cf "$root/$dev/lib/$(basename "$natives")" lib)
rm -rf "$tmp" "$dev/deps"
if [ ! -f "$dev/jre.tgz" ]; then
  shared=${DOCPROC_SHARED:-$root/../shared}
  # (make-jre.sh also adds .device to .git/info/exclude, which fails in a git worktree, where .git
  # is a file; .device/ is in .gitignore anyway)
  "$shared/device/make-jre.sh" "$dev" || [ -f "$dev/jre.tgz" ]
fi
unzip -l "$dev"/lib/gpu-native-*.jar | grep -q kernels.fatbin
du -sh "$dev"/lib/* "$dev/jre.tgz"
