"""Static checks of the deployment files: Dockerfile, .dockerignore, docker-compose.yml.

No Docker engine is needed. Each check is a function that returns a list of problems; every
check runs on the real file (expecting none) and on a small broken example (expecting one), so
an assertion that could never fail is caught here too.
"""

from __future__ import annotations

import fnmatch
import http.server
import importlib.metadata
import json
import re
import shlex
import shutil
import subprocess
import sys
import threading
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from agents.models import parse_spec
from core.settings import Settings

REPO = Path(__file__).resolve().parents[2]
DOCKERFILE = REPO / "Dockerfile"
DOCKERIGNORE = REPO / ".dockerignore"
COMPOSE = REPO / "docker-compose.yml"
ENV_EXAMPLE = REPO / ".env.example"
DEPLOYMENT_DOC = REPO / "docs" / "deployment.md"
HEALTH_PATH = "/api/health"
TRADEOFF_VAR = re.compile(r"\bTRADEOFF_[A-Z0-9_]+\b")
CORE_SERVICES = ("postgres", "chroma", "redis")


# --------------------------------------------------------------------------------------------
# A small Dockerfile parser: instructions grouped by build stage.
# --------------------------------------------------------------------------------------------


@dataclass
class Instruction:
    keyword: str  # upper-case: FROM, RUN, ENV, ...
    args: str  # everything after the keyword, continuation lines joined


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[Instruction] = field(default_factory=list)

    def all(self, keyword: str) -> list[Instruction]:
        return [i for i in self.instructions if i.keyword == keyword]

    def env(self) -> dict[str, str]:
        """ENV values of this stage (both `ENV k=v k2=v2` and legacy `ENV k v`)."""
        values: dict[str, str] = {}
        for inst in self.all("ENV"):
            words = shlex.split(inst.args)
            if words and "=" not in words[0]:
                values[words[0]] = " ".join(words[1:])
                continue
            for word in words:
                key, _, value = word.partition("=")
                values[key] = value
        return values


def parse_dockerfile(text: str) -> list[Stage]:
    """Joins `\\` continuations, drops comments and blank lines, splits stages at FROM."""
    logical: list[str] = []
    buffer = ""
    for raw in text.splitlines():
        stripped = raw.strip()
        if stripped.startswith("#") or (not stripped and not buffer):
            continue  # comment lines may sit inside a continued instruction too
        if stripped.endswith("\\"):
            buffer += stripped[:-1] + " "
            continue
        logical.append(buffer + stripped)
        buffer = ""
    if buffer.strip():
        logical.append(buffer)

    stages: list[Stage] = []
    for line in logical:
        keyword, _, args = line.strip().partition(" ")
        inst = Instruction(keyword.upper(), args.strip())
        if inst.keyword == "FROM":
            words = [w for w in inst.args.split() if not w.startswith("--")]
            name = words[2] if len(words) >= 3 and words[1].lower() == "as" else None
            stages.append(Stage(base=words[0], name=name))
        elif not stages:
            if inst.keyword != "ARG":  # only ARG may precede the first FROM
                raise ValueError(f"{inst.keyword} before the first FROM")
        else:
            stages[-1].instructions.append(inst)
    return stages


def exec_words(args: str) -> list[str]:
    """The argv of a CMD/ENTRYPOINT/HEALTHCHECK CMD in exec (JSON) or shell form."""
    args = args.strip()
    if args.startswith("["):
        return [str(w) for w in json.loads(args)]
    return ["/bin/sh", "-c", args]


# --------------------------------------------------------------------------------------------
# Dockerfile checks
# --------------------------------------------------------------------------------------------


def df_multistage(stages: list[Stage]) -> list[str]:
    problems = [] if len(stages) >= 2 else [f"{len(stages)} FROM stage(s), want >= 2"]
    if stages and not stages[-1].all("COPY"):
        problems.append("the final stage copies nothing")
    elif stages and not any(
        "--from=" in c.args and "/opt/venv" in c.args for c in stages[-1].all("COPY")
    ):
        problems.append("the final stage does not COPY --from=<builder> /opt/venv")
    return problems


def df_non_root(stages: list[Stage]) -> list[str]:
    users = stages[-1].all("USER")
    if not users:
        return ["the final stage has no USER: it would run as root"]
    user = users[-1].args.split(":")[0].strip()
    if user in ("root", "0", ""):
        return [f"the final stage runs as {user or 'nobody named'!r}"]
    return []


def df_healthcheck(stages: list[Stage]) -> list[str]:
    checks = stages[-1].all("HEALTHCHECK")
    if not checks:
        return ["no HEALTHCHECK in the final stage"]
    args = checks[-1].args
    if args.upper() == "NONE":
        return ["HEALTHCHECK NONE"]
    cmd = re.split(r"\bCMD\b", args, maxsplit=1)
    if len(cmd) != 2:
        return ["HEALTHCHECK without CMD"]
    command = " ".join(exec_words(cmd[1]))
    problems = []
    if HEALTH_PATH not in command or ":8000" not in command:
        problems.append(f"HEALTHCHECK does not call {HEALTH_PATH} on port 8000")
    if "curl" in command.split() or "wget" in command.split():
        problems.append("HEALTHCHECK uses curl/wget, which python:3.11-slim lacks")
    return problems


def df_expose(stages: list[Stage]) -> list[str]:
    ports = {p.split("/")[0] for e in stages[-1].all("EXPOSE") for p in e.args.split()}
    return [] if "8000" in ports else [f"EXPOSE 8000 missing (found {sorted(ports)})"]


def df_runtime_env(stages: list[Stage]) -> list[str]:
    env = stages[-1].env()
    want = {
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "TRADEOFF_DATA_DIR": "/data",
        # serve refuses 0.0.0.0 unless every API call needs a key
        "TRADEOFF_AUTH": "required",
    }
    problems = [f"ENV {k}={v} missing" for k, v in want.items() if env.get(k) != v]
    if "/opt/venv/bin" not in env.get("PATH", ""):
        problems.append("/opt/venv/bin is not on PATH")
    volumes = " ".join(v.args for v in stages[-1].all("VOLUME"))
    if "/data" not in volumes:
        problems.append("no VOLUME /data")
    return problems


def df_install(stages: list[Stage]) -> list[str]:
    problems = []
    installs: list[tuple[Stage, str]] = [
        (s, r.args) for s in stages for r in s.all("RUN") if "pip install" in r.args
    ]
    for _, run in installs:
        words = run.split()
        if "-e" in words or "--editable" in words:
            problems.append(f"editable install: {run[:80]}")
    project = [run for _, run in installs if re.search(r"-c constraints\.txt\b.*\s\.(\s|$)", run)]
    if not project:
        problems.append("no `pip install -c constraints.txt .` of the project")
    for stage, run in installs:
        if "constraints.txt" not in run:
            continue
        # torch comes from the CPU index, given literally or through an ARG with that default
        args = {a.args.partition("=")[0]: a.args.partition("=")[2] for a in stage.all("ARG")}
        named = re.search(r"--extra-index-url\s+\"?\$\{?(\w+)", run)
        url = args.get(named.group(1), "") if named else run
        if "download.pytorch.org/whl/cpu" not in url:
            problems.append(f"torch is not taken from the CPU index: {run[:80]}")
    return problems


def df_serve(stages: list[Stage]) -> list[str]:
    final = stages[-1]
    entry = final.all("ENTRYPOINT")
    cmd = final.all("CMD")
    words = (exec_words(entry[-1].args) if entry else []) + (
        exec_words(cmd[-1].args) if cmd else []
    )
    line = " ".join(words)
    if "tradeoff serve" not in line:
        return [f"CMD/ENTRYPOINT does not run `tradeoff serve`: {line!r}"]
    if "--host 0.0.0.0" not in line or "--port 8000" not in line:
        return [f"serve does not bind 0.0.0.0:8000: {line!r}"]
    return []


DOCKERFILE_CHECKS: list[Callable[[list[Stage]], list[str]]] = [
    df_multistage,
    df_non_root,
    df_healthcheck,
    df_expose,
    df_runtime_env,
    df_install,
    df_serve,
]

GOOD_SNIPPET = """\
FROM python:3.11-slim AS builder
RUN pip install -c constraints.txt --extra-index-url https://download.pytorch.org/whl/cpu .
FROM python:3.11-slim
COPY --from=builder /opt/venv /opt/venv
ENV PATH="/opt/venv/bin:$PATH" HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 \\
    TRADEOFF_DATA_DIR=/data TRADEOFF_AUTH=required
USER app
VOLUME /data
EXPOSE 8000
HEALTHCHECK CMD ["python", "-c", "urlopen('http://127.0.0.1:8000/api/health')"]
CMD ["tradeoff", "serve", "--host", "0.0.0.0", "--port", "8000"]
"""

# (check, a replacement applied to GOOD_SNIPPET that the check must reject)
BAD_SNIPPETS: list[tuple[Callable[[list[Stage]], list[str]], str, str]] = [
    (df_multistage, "FROM python:3.11-slim\nCOPY", "COPY"),
    (df_multistage, "COPY --from=builder /opt/venv /opt/venv", "COPY . /app"),
    (df_non_root, "USER app", "USER root"),
    (df_non_root, "USER app\n", ""),
    (df_healthcheck, "HEALTHCHECK CMD", "# HEALTHCHECK CMD"),
    (df_healthcheck, "/api/health", "/"),
    (df_expose, "EXPOSE 8000", "EXPOSE 8080"),
    (df_runtime_env, "HF_HUB_OFFLINE=1", "HF_HUB_OFFLINE=0"),
    (df_runtime_env, "TRADEOFF_AUTH=required", "TRADEOFF_AUTH=auto"),
    (df_runtime_env, "VOLUME /data\n", ""),
    (df_install, "constraints.txt --extra", "constraints.txt -e . --extra"),
    (df_install, "--extra-index-url https://download.pytorch.org/whl/cpu ", ""),
    (df_install, "https://download.pytorch.org/whl/cpu", '"$TORCH_INDEX_URL"'),
    (df_serve, '"serve", ', '"db", "upgrade", '),
    (df_serve, '"0.0.0.0"', '"127.0.0.1"'),
]


@pytest.fixture(scope="module")
def stages() -> list[Stage]:
    return parse_dockerfile(DOCKERFILE.read_text())


@pytest.mark.parametrize("check", DOCKERFILE_CHECKS, ids=lambda c: c.__name__)
def test_dockerfile(check: Callable[[list[Stage]], list[str]], stages: list[Stage]) -> None:
    assert check(stages) == []


@pytest.mark.parametrize("check", DOCKERFILE_CHECKS, ids=lambda c: c.__name__)
def test_dockerfile_checks_pass_a_good_snippet(check: Callable[[list[Stage]], list[str]]) -> None:
    assert check(parse_dockerfile(GOOD_SNIPPET)) == []


@pytest.mark.parametrize(
    ("check", "old", "new"),
    BAD_SNIPPETS,
    ids=[f"{c.__name__}-{i}" for i, (c, *_) in enumerate(BAD_SNIPPETS)],
)
def test_dockerfile_checks_reject_a_bad_snippet(
    check: Callable[[list[Stage]], list[str]], old: str, new: str
) -> None:
    assert old in GOOD_SNIPPET, "the mutation must change the snippet"
    assert check(parse_dockerfile(GOOD_SNIPPET.replace(old, new))) != []


def test_parser_joins_continuations_and_skips_comments() -> None:
    stages = parse_dockerfile(
        "ARG V=1\nFROM a:1 AS one\n# c\nRUN x \\\n  # inner comment\n  y\nFROM b\nENV K v w\n"
    )
    assert [(s.base, s.name) for s in stages] == [("a:1", "one"), ("b", None)]
    assert stages[0].all("RUN")[0].args.split() == ["x", "y"]
    assert stages[1].env() == {"K": "v w"}
    with pytest.raises(ValueError):
        parse_dockerfile("RUN true\nFROM a\n")


def test_dockerfile_copies_every_package(stages: list[Stage]) -> None:
    """The builder copies each package that pyproject's packages.find includes."""
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    include = pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    packages = {p.rstrip("*").rstrip(".") for p in include}
    copied = {
        w.rstrip("/")
        for s in stages[:-1]
        for c in s.all("COPY")
        if "--from" not in c.args
        for w in c.args.split()[:-1]
    }
    assert packages <= copied, f"not copied into the builder: {sorted(packages - copied)}"
    for needed in ("pyproject.toml", "constraints.txt", "README.md"):
        assert needed in copied


def test_package_data_covers_every_data_file() -> None:
    """A non-editable install ships only what package-data lists; the image needs all of it."""
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    patterns = pyproject["tool"]["setuptools"]["package-data"]["*"]
    include = pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    missing = []
    for package in (p.rstrip("*").rstrip(".") for p in include):
        for path in (REPO / package).rglob("*"):
            if not path.is_file() or "__pycache__" in path.parts or path.suffix in (".py", ".pyc"):
                continue
            if not any(fnmatch.fnmatch(path.name, pat) for pat in patterns):
                missing.append(str(path.relative_to(REPO)))
    assert missing == [], f"add their patterns to [tool.setuptools.package-data]: {missing}"


# --------------------------------------------------------------------------------------------
# .dockerignore
# --------------------------------------------------------------------------------------------


def ignore_patterns() -> list[str]:
    lines = DOCKERIGNORE.read_text().splitlines()
    return [ln.strip() for ln in lines if ln.strip() and not ln.strip().startswith("#")]


def ignored(path: str, patterns: list[str]) -> bool:
    """Docker's rule: the last matching pattern wins; `!` re-includes."""
    result = False
    for pat in patterns:
        negate = pat.startswith("!")
        pat = pat.lstrip("!").rstrip("/")
        if fnmatch.fnmatch(path, pat) or fnmatch.fnmatch(path, pat.removeprefix("**/")):
            result = not negate
    return result


def test_dockerignore_excludes_local_state_and_secrets() -> None:
    patterns = ignore_patterns()
    for path in (".venv", ".git", ".env", "data", ".pytest_cache", "test-output", "__pycache__"):
        assert ignored(path, patterns), f"{path} is sent to the build context"


def test_dockerignore_keeps_what_the_dockerfile_copies(stages: list[Stage]) -> None:
    patterns = ignore_patterns()
    sources = [
        w.rstrip("/")
        for s in stages
        for c in s.all("COPY")
        if "--from" not in c.args
        for w in c.args.split()[:-1]
    ]
    assert sources
    assert [s for s in sources if ignored(s, patterns)] == []
    assert not ignored("evals/data", patterns)  # only the root-level data/ is local state
    assert ignored(".venv", [".venv"]) and not ignored(".venv", [".venv", "!.venv"])


# --------------------------------------------------------------------------------------------
# docker-compose.yml
# --------------------------------------------------------------------------------------------


def load_compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text())


def as_words(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else shlex.split(str(value))


def env_of(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        return dict(str(e).partition("=")[::2] for e in env)
    return {str(k): "" if v is None else str(v) for k, v in env.items()}


def compose_services(doc: dict[str, Any]) -> list[str]:
    services = doc.get("services") or {}
    problems = [f"service {s} missing" for s in ("app", *CORE_SERVICES) if s not in services]
    ollama = services.get("ollama")
    if ollama is None:
        problems.append("service ollama missing")
    elif ollama.get("profiles") != ["local-llm"]:
        problems.append("ollama is not (only) in the local-llm profile")
    for name in ("app", *CORE_SERVICES):
        if name in services and services[name].get("profiles"):
            problems.append(f"{name} is behind a profile: plain `up` would not start it")
    return problems


def compose_healthchecks(doc: dict[str, Any]) -> list[str]:
    problems = []
    for name, svc in (doc.get("services") or {}).items():
        hc = svc.get("healthcheck") or {}
        test = hc.get("test")
        if not test or hc.get("disable") or as_words(test)[:1] == ["NONE"]:
            problems.append(f"{name} has no healthcheck")
    return problems


def compose_depends_on(doc: dict[str, Any]) -> list[str]:
    deps = (doc.get("services") or {}).get("app", {}).get("depends_on") or {}
    if isinstance(deps, list):
        return ["app depends_on is a list: it waits for start, not health"]
    return [
        f"app does not wait for {s} to be healthy"
        for s in CORE_SERVICES
        if (deps.get(s) or {}).get("condition") != "service_healthy"
    ]


def compose_volumes(doc: dict[str, Any]) -> list[str]:
    services = doc.get("services") or {}
    declared = set(doc.get("volumes") or {})
    problems = []
    want = {"app": "/data", "postgres": "/var/lib/postgresql/data", "chroma": "/data"}
    want["ollama"] = "/root/.ollama"
    for name, target in want.items():
        mounts = [str(v).split(":") for v in services.get(name, {}).get("volumes") or []]
        named = [m for m in mounts if len(m) >= 2 and m[1] == target]
        if not named:
            problems.append(f"{name} does not mount a volume at {target}")
        for m in named:
            if m[0] not in declared:
                problems.append(f"{name}: volume {m[0]} is not declared under volumes:")
    return problems


def compose_ports(doc: dict[str, Any]) -> list[str]:
    services = doc.get("services") or {}
    ports = [str(p) for p in services.get("app", {}).get("ports") or []]
    problems = [] if "8000:8000" in ports else [f"app ports {ports}, want 8000:8000"]
    for name in CORE_SERVICES:
        if services.get(name, {}).get("ports"):
            problems.append(f"{name} publishes a port; only the app needs to be reachable")
    return problems


def compose_app(doc: dict[str, Any]) -> list[str]:
    app = (doc.get("services") or {}).get("app", {})
    problems = []
    if app.get("build") not in (".", {"context": "."}):
        problems.append("app is not built from this directory")
    command = " ".join(as_words(app.get("command") or ""))
    upgrade, serve = command.find("tradeoff db upgrade"), command.find("tradeoff serve")
    if upgrade < 0 or serve < 0 or upgrade > serve:
        problems.append(f"command does not run db upgrade, then serve: {command!r}")
    if "&&" not in command[upgrade:serve]:
        problems.append("serve would start even when the upgrade fails")
    for flag in ("--host 0.0.0.0", "--port 8000", "--workers 2"):
        if flag not in command:
            problems.append(f"serve lacks {flag}")
    check = " ".join(as_words((app.get("healthcheck") or {}).get("test") or ""))
    if f"127.0.0.1:8000{HEALTH_PATH}" not in check and f"localhost:8000{HEALTH_PATH}" not in check:
        problems.append(f"app healthcheck does not call {HEALTH_PATH}: {check!r}")
    env = env_of(app)
    want = {
        "TRADEOFF_DATABASE_URL": "postgresql+psycopg://tradeoff:tradeoff@postgres:5432/tradeoff",
        "TRADEOFF_CHROMA_URL": "http://chroma:8000",
        "TRADEOFF_REDIS_URL": "redis://redis:6379/0",
        "TRADEOFF_AUTH": "required",
        "TRADEOFF_LLM": "${TRADEOFF_LLM:-offline}",
        "TRADEOFF_LLM_BASE_URL": "${TRADEOFF_LLM_BASE_URL:-}",
        "OPENAI_API_KEY": "${OPENAI_API_KEY:-}",
    }
    problems += [
        f"app env {k}={env.get(k)!r}, want {v!r}" for k, v in want.items() if env.get(k) != v
    ]
    return problems


def compose_images(doc: dict[str, Any]) -> list[str]:
    services = doc.get("services") or {}
    problems = []
    if services.get("postgres", {}).get("image") != "postgres:16":
        problems.append("postgres is not postgres:16")
    if services.get("redis", {}).get("image") != "redis:7":
        problems.append("redis is not redis:7")
    image = str(services.get("chroma", {}).get("image", ""))
    repo, _, tag = image.partition(":")
    client = importlib.metadata.version("chromadb").split(".")
    if repo != "chromadb/chroma" or tag.split(".")[:2] != client[:2]:
        problems.append(f"chroma image {image!r} does not match the {'.'.join(client)} client")
    checks = {
        "postgres": "pg_isready",
        "redis": "redis-cli ping",
        "chroma": "/api/v2/heartbeat",
        "ollama": "ollama",
    }
    for name, needle in checks.items():
        test = " ".join(as_words((services.get(name, {}).get("healthcheck") or {}).get("test", "")))
        if needle not in test:
            problems.append(f"{name} healthcheck does not use {needle!r}: {test!r}")
    ollama = str(services.get("ollama", {}).get("image", ""))
    if not ollama.startswith("ollama/ollama"):
        problems.append(f"ollama image is {ollama!r}")
    return problems


COMPOSE_CHECKS: list[Callable[[dict[str, Any]], list[str]]] = [
    compose_services,
    compose_healthchecks,
    compose_depends_on,
    compose_volumes,
    compose_ports,
    compose_app,
    compose_images,
]


def _mutate(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """Sets (or deletes, for ...) the dotted key `path` of a compose document."""

    def apply(doc: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node = doc
        for key in parents:
            node = node[key]
        if value is ...:
            del node[last]
        else:
            node[last] = value

    return apply


BAD_COMPOSE: list[tuple[Callable[[dict[str, Any]], list[str]], str, Any]] = [
    (compose_services, "services.redis", ...),
    (compose_services, "services.ollama.profiles", ...),
    (compose_services, "services.postgres.profiles", ["db"]),
    (compose_healthchecks, "services.chroma.healthcheck", ...),
    (compose_healthchecks, "services.ollama.healthcheck", {"disable": True, "test": ["NONE"]}),
    (compose_depends_on, "services.app.depends_on", ["postgres", "chroma", "redis"]),
    (compose_depends_on, "services.app.depends_on.chroma", {"condition": "service_started"}),
    (compose_volumes, "volumes.postgres-data", ...),
    (compose_volumes, "services.app.volumes", ...),
    (compose_ports, "services.app.ports", ["8080:8000"]),
    (compose_ports, "services.postgres.ports", ["5432:5432"]),
    (compose_app, "services.app.command", "tradeoff serve --host 0.0.0.0 --port 8000"),
    (compose_app, "services.app.command", "tradeoff db upgrade; tradeoff serve --port 8000"),
    (compose_app, "services.app.healthcheck.test", ["CMD", "true"]),
    (compose_app, "services.app.environment.TRADEOFF_AUTH", "auto"),
    (compose_images, "services.chroma.image", "chromadb/chroma:0.6.3"),
    (compose_images, "services.redis.healthcheck.test", ["CMD", "true"]),
]


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return load_compose()


@pytest.mark.parametrize("check", COMPOSE_CHECKS, ids=lambda c: c.__name__)
def test_compose(check: Callable[[dict[str, Any]], list[str]], compose: dict[str, Any]) -> None:
    assert check(compose) == []


@pytest.mark.parametrize(
    ("check", "path", "value"),
    BAD_COMPOSE,
    ids=[f"{c.__name__}-{p}" for c, p, _ in BAD_COMPOSE],
)
def test_compose_checks_reject_a_broken_file(
    check: Callable[[dict[str, Any]], list[str]], path: str, value: Any
) -> None:
    doc = load_compose()
    _mutate(path, value)(doc)
    assert check(doc) != []


def test_compose_llm_defaults_parse() -> None:
    """The compose default and the documented local-llm spec are both valid LLM specs."""
    assert parse_spec("offline").is_offline
    spec = parse_spec("openai-compatible:llama3.1:8b")
    assert (spec.kind, spec.model) == ("openai-compatible", "llama3.1:8b")


# --------------------------------------------------------------------------------------------
# Every TRADEOFF_* name is a settings field
# --------------------------------------------------------------------------------------------


def tradeoff_names(path: Path) -> set[str]:
    return set(TRADEOFF_VAR.findall(path.read_text())) if path.exists() else set()


def unknown_settings(names: set[str]) -> set[str]:
    fields = set(Settings.model_fields)
    return {n for n in names if n.removeprefix("TRADEOFF_").lower() not in fields}


@pytest.mark.parametrize(
    "path",
    [COMPOSE, DOCKERFILE, ENV_EXAMPLE, DEPLOYMENT_DOC],
    ids=lambda p: p.name,
)
def test_every_tradeoff_variable_is_a_setting(path: Path) -> None:
    if not path.exists():
        pytest.skip(f"{path.name} does not exist")
    names = tradeoff_names(path)
    assert unknown_settings(names) == set()


def test_tradeoff_variables_are_found_and_checked() -> None:
    assert {"TRADEOFF_DATABASE_URL", "TRADEOFF_AUTH", "TRADEOFF_LLM"} <= tradeoff_names(COMPOSE)
    assert {"TRADEOFF_DATA_DIR", "TRADEOFF_AUTH"} <= tradeoff_names(DOCKERFILE)
    assert unknown_settings({"TRADEOFF_DATABSE_URL", "TRADEOFF_LLM"}) == {"TRADEOFF_DATABSE_URL"}
    # `_TRADEOFF_PREPARED` is an internal marker, not a setting, and must not be picked up
    assert TRADEOFF_VAR.findall("_TRADEOFF_PREPARED=1 ${TRADEOFF_LLM:-x}") == ["TRADEOFF_LLM"]


# --------------------------------------------------------------------------------------------
# The healthcheck commands themselves, run against a tiny local HTTP server
# --------------------------------------------------------------------------------------------


@pytest.fixture
def fake_server() -> Iterator[tuple[int, dict[str, tuple[int, bytes]]]]:
    """A loopback HTTP server; `routes[path] = (status, body)`, anything else is 404."""
    routes: dict[str, tuple[int, bytes]] = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            status, body = routes.get(self.path, (404, b"{}"))
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], routes
    finally:
        server.shutdown()
        server.server_close()


def run_check(words: list[str], port: int) -> int:
    """Runs a compose `CMD` healthcheck with its port 8000 moved to `port`."""
    assert words[0] == "CMD", words
    argv = [w.replace("8000", str(port)) for w in words[1:]]
    if argv[0] == "python":
        argv[0] = sys.executable
    return subprocess.run(argv, capture_output=True, timeout=20).returncode


@pytest.mark.parametrize(
    ("body", "healthy"),
    [(b'{"status": "ok"}', True), (b'{"status": "degraded"}', False), (None, False)],
)
def test_app_healthcheck_command(fake_server, compose, stages, body, healthy) -> None:
    port, routes = fake_server
    if body is not None:
        routes[HEALTH_PATH] = (200, body)
    compose_words = as_words(compose["services"]["app"]["healthcheck"]["test"])
    docker_args = re.split(r"\bCMD\b", stages[-1].all("HEALTHCHECK")[-1].args, maxsplit=1)[1]
    for words in (compose_words, ["CMD", *exec_words(docker_args)]):
        assert (run_check(words, port) == 0) is healthy, words


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
@pytest.mark.parametrize(("status", "healthy"), [(200, True), (500, False), (None, False)])
def test_chroma_healthcheck_command(fake_server, compose, status, healthy) -> None:
    port, routes = fake_server
    if status is not None:
        routes["/api/v2/heartbeat"] = (status, b'{"nanosecond heartbeat": 1}')
    words = as_words(compose["services"]["chroma"]["healthcheck"]["test"])
    assert (run_check(words, port) == 0) is healthy


# --------------------------------------------------------------------------------------------
# `docker compose config`, when the compose plugin is installed (it needs no engine)
# --------------------------------------------------------------------------------------------


def _compose_cli() -> list[str] | None:
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, timeout=30)
        if probe.returncode == 0:
            return ["docker", "compose"]
    return None


def test_docker_compose_config() -> None:
    cli = _compose_cli()
    if cli is None:
        pytest.skip("`docker compose` is not available")
    for profile in ([], ["--profile", "local-llm"]):
        result = subprocess.run(
            [*cli, "-f", str(COMPOSE), *profile, "config", "-q"],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=REPO,
        )
        assert result.returncode == 0, result.stderr
