#!/usr/bin/env bash
# Compiles every src/main/cuda/*.cu of gpu-native into ONE fatbin (SASS for sm_80, sm_86, sm_89,
# sm_90a plus compute_80 PTX for newer GPUs), called by the Maven build (generate-resources).
#
# Usage: build-kernels.sh SRC_DIR OUT_FATBIN WORK_DIR REQUIRED
#   REQUIRED=true: a missing nvcc fails the build (CI); false: the build goes on without kernels
#   and the GPU backend reports itself absent at run time.
# nvcc is looked up in: $NVCC, $CUDA_HOME/bin, the PATH, then the folder install-nvcc.sh uses.
#
# ptxas's resource report (-Xptxas -v) of every kernel and target is written to
# WORK_DIR/ptxas-report.txt; any register spill fails the build, as does any compiler warning.
set -euo pipefail
src=$(cd "$1" && pwd) out=$2 work=$3 required=$4

find_nvcc() {
  local c
  for c in "${NVCC:-}" "${CUDA_HOME:+$CUDA_HOME/bin/nvcc}" "$(command -v nvcc || true)" \
    "${DOCPROC_NVCC_HOME:-$HOME/.cache/docproc/cuda-13.0}/nvidia/cu13/bin/nvcc"; do
    if [ -n "$c" ] && [ -x "$c" ]; then echo "$c"; return; fi
  done
}
nvcc=$(find_nvcc)
if [ -z "$nvcc" ]; then
  if [ "$required" = true ]; then
    echo "[gpu-native] ERROR: nvcc not found (set NVCC or run gpu-native/install-nvcc.sh)" >&2
    exit 1
  fi
  echo "[gpu-native] nvcc not found: building WITHOUT CUDA kernels; the GPU backend will be absent." \
    "Run gpu-native/install-nvcc.sh (or set NVCC) to build them."
  rm -f "$out"
  exit 0
fi

sources=$(find "$src" -maxdepth 1 -name "*.cu" -o -maxdepth 1 -name "*.cuh" | sort)
if [ -f "$out" ] && [ -z "$(find $sources "$0" -newer "$out")" ]; then
  echo "[gpu-native] kernels up to date: $out"
  exit 0
fi

mkdir -p "$work" "$(dirname "$out")"
# One translation unit (so one module), made of the family files; each keeps its helpers in its
# own namespace.
unity="$work/kernels.cu"
for f in $(ls "$src"/*.cu | sort); do echo "#include \"$(basename "$f")\""; done > "$unity"

flags=(-std=c++17 -O3 -I"$src" -Werror all-warnings -Xptxas -v,-warn-spills)
start=$(date +%s)
# One nvcc per target, two at a time (CI has 2 cores); each writes its own ptxas log. (Background
# jobs are forked subshells, so they see the function and the flags array.)
compile() { # ARCH KIND(cubin|ptx)
  local arch=$1 kind=$2 virt=${1/sm_/compute_}
  if [ "$kind" = ptx ]; then
    "$nvcc" "${flags[@]}" -arch="$virt" -ptx -o "$work/kernels.$arch.ptx" "$unity" > "$work/nvcc.$arch.ptx.log" 2>&1
  else
    "$nvcc" "${flags[@]}" -gencode "arch=$virt,code=$arch" -cubin -o "$work/kernels.$arch.cubin" "$unity" \
      > "$work/nvcc.$arch.log" 2>&1
  fi
}
targets="sm_80:cubin sm_86:cubin sm_89:cubin sm_90a:cubin sm_80:ptx"
pids=() failed=0
for spec in $targets; do
  arch=${spec%%:*} kind=${spec##*:}
  compile "$arch" "$kind" &
  pids+=($!)
  if [ ${#pids[@]} -ge 2 ]; then wait "${pids[0]}" || failed=1; pids=("${pids[@]:1}"); fi
done
for p in "${pids[@]}"; do wait "$p" || failed=1; done
cat "$work"/nvcc.*.log > "$work/nvcc.log"
if [ $failed -ne 0 ]; then
  grep -E 'error|warning' "$work/nvcc.log" | awk '!seen[$0]++' >&2
  echo "[gpu-native] ERROR: nvcc failed (log: $work/nvcc.log)" >&2
  exit 1
fi

# Resource report: one line per (kernel, target); fail on spills.
awk '
  function before(pat,   m) { return match($0, "[0-9]+ " pat) ? substr($0, RSTART, RLENGTH - length(pat) - 1) + 0 : 0 }
  /Compiling entry function/ { split($0, q, "\047"); fn = q[2]; arch = q[4] }
  /bytes stack frame/ { stack = before("bytes stack frame"); st = before("bytes spill stores"); ld = before("bytes spill loads") }
  /Used [0-9]+ registers/ {
    printf "%-30s %-6s regs %4d  smem %6d  stack %4d  spill-stores %4d  spill-loads %4d\n",
           fn, arch, before("registers"), before("bytes smem"), stack, st, ld
    if (st + ld > 0) bad = 1 }
  END { exit bad }' "$work"/nvcc.sm_80.log "$work"/nvcc.sm_86.log "$work"/nvcc.sm_89.log "$work"/nvcc.sm_90a.log \
  > "$work/ptxas-report.txt" \
  || { cat "$work/ptxas-report.txt" >&2; echo "[gpu-native] ERROR: a kernel spills registers (see above)" >&2; exit 1; }

"$(dirname "$nvcc")/fatbinary" --64 --create="$out" \
  --image3=kind=elf,sm=80,file="$work/kernels.sm_80.cubin" \
  --image3=kind=elf,sm=86,file="$work/kernels.sm_86.cubin" \
  --image3=kind=elf,sm=89,file="$work/kernels.sm_89.cubin" \
  --image3=kind=elf,sm=90a,file="$work/kernels.sm_90a.cubin" \
  --image3=kind=ptx,sm=80,file="$work/kernels.sm_80.ptx"
echo "[gpu-native] built $out ($(stat -c %s "$out") bytes, $(( $(date +%s) - start )) s, $("$nvcc" --version | tail -1))"
echo "[gpu-native] ptxas report: $work/ptxas-report.txt"
