#!/usr/bin/env bash
# Installs the CUDA compiler (nvcc 13.0, ptxas, NVVM, the runtime/CRT/CCCL headers) from PyPI into a
# folder outside the repository, so the gpu-native build can compile the kernels.
# Usage: gpu-native/install-nvcc.sh [DIR]   (default: $DOCPROC_NVCC_HOME or ~/.cache/docproc/cuda-13.0)
# Prints the nvcc path last. Idempotent: does nothing when that nvcc already runs.
# 13.0 on purpose: the PTX it embeds must be loadable by the 580-series drivers (CUDA 13.0) of our
# GPU hosts, and a newer nvcc writes a newer PTX ISA that such a driver refuses.
set -euo pipefail
dir=${1:-${DOCPROC_NVCC_HOME:-$HOME/.cache/docproc/cuda-13.0}}
nvcc="$dir/nvidia/cu13/bin/nvcc"
if [ -x "$nvcc" ] && "$nvcc" --version >/dev/null 2>&1; then
  echo "$nvcc"
  exit 0
fi
python=${PYTHON:-python3}
mkdir -p "$dir"
"$python" -m pip install --quiet --disable-pip-version-check --no-deps --target "$dir" \
  nvidia-cuda-nvcc==13.0.88 nvidia-nvvm==13.0.88 nvidia-cuda-crt==13.0.88 \
  nvidia-cuda-runtime==13.0.96 nvidia-cuda-cccl==13.0.85 >&2
"$nvcc" --version >&2
echo "$nvcc"
