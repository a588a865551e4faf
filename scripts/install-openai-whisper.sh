#!/usr/bin/env bash
# Install the openai-whisper engine (CPU) into the Python environment that runs EditorBot.
#
# pip cannot say --no-deps inside an extra, and openai-whisper's own metadata asks for triton
# (about 1 GB of GPU compiler, useless on CPU). So: torch first, pinned to the CPU build
# (a looser torch requirement pulls several GB of CUDA), then openai-whisper without its
# dependencies, then the dependencies it really imports, pinned like the `openai-whisper`
# extra in pyproject.toml.
#
# Usage: bash scripts/install-openai-whisper.sh            (uses `python3` on PATH)
#        PYTHON=/path/to/venv/bin/python bash scripts/install-openai-whisper.sh
set -euo pipefail

PYTHON="${PYTHON:-python3}"
pip_install() { "$PYTHON" -m pip install --disable-pip-version-check "$@"; }

pip_install "torch==2.13.0"
pip_install --no-deps "openai-whisper==20250625"
pip_install "numba==0.68.1" "llvmlite==0.50.0" "tiktoken==0.14.0" "more-itertools==11.2.1" \
  "tqdm==4.70.1"

# Fail here rather than at the first transcription if something is still missing.
"$PYTHON" -c "import torch, whisper; print('openai-whisper', whisper.__version__, 'torch', torch.__version__)"
