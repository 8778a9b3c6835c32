"""Prompt files: `prompts/<name>.md` with `{{placeholders}}`, rendered strictly and hashed.

Every model call records the names and hashes of the prompts it used, so an evaluation can be traced
to the exact prompt text that produced it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

PROMPTS_DIR = Path(__file__).resolve().parent
_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}")


class PromptError(ValueError):
    pass


@dataclass(frozen=True)
class Prompt:
    name: str
    template: str

    @property
    def hash(self) -> str:
        return hashlib.sha256(self.template.encode()).hexdigest()[:12]

    @property
    def variables(self) -> set[str]:
        return set(_PLACEHOLDER.findall(self.template))

    def render(self, **values: object) -> str:
        missing = self.variables - values.keys()
        if missing:
            raise PromptError(f"prompt {self.name!r} needs {sorted(missing)}")
        extra = values.keys() - self.variables
        if extra:
            raise PromptError(f"prompt {self.name!r} has no placeholder for {sorted(extra)}")
        # One pass, so a value that itself contains '{{x}}' (candidate text) is never expanded.
        return _PLACEHOLDER.sub(lambda m: str(values[m.group(1)]), self.template)


@lru_cache(maxsize=64)
def load_prompt(name: str) -> Prompt:
    path = PROMPTS_DIR / f"{name}.md"
    if not path.is_file():
        raise PromptError(f"no prompt file {path}")
    return Prompt(name, path.read_text(encoding="utf-8"))
