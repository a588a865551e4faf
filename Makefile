# Two entry points for a fresh clone: `make demo` and `make test`. Everything lands in .venv.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export PREFECT_SERVER_ANALYTICS_ENABLED := false

.PHONY: demo test lint system-deps clean

# ffmpeg decodes the notes; it comes from the system's packages, not PyPI.
system-deps:
	@command -v ffmpeg >/dev/null || { \
	  command -v apt-get >/dev/null || { echo "Install ffmpeg with your package manager." >&2; exit 1; }; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq ffmpeg >/dev/null; }

$(BIN)/editorbot: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[test]"
	@touch $@

demo: system-deps $(BIN)/editorbot
	$(BIN)/editorbot process samples/nota_venezolana.ogg --dialect venezuelan --template story --approve

lint: $(BIN)/editorbot
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: system-deps lint
	$(BIN)/pytest

clean:
	rm -rf $(VENV) data .pytest_cache .ruff_cache
