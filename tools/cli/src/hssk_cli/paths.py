"""Where the local stack keeps things: everything under one ignored folder, `.hssk/`."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


def repo_root() -> Path:
    here = Path(os.environ.get("HSSK_REPO", Path.cwd())).resolve()
    for candidate in (here, *here.parents):
        if (candidate / "infra" / "kafka" / "pom.xml").exists():
            return candidate
    raise SystemExit(
        f"hssk: run this inside the HSSK repository (no infra/kafka/pom.xml found above {here})"
    )


@dataclass(frozen=True)
class Layout:
    root: Path

    @property
    def home(self) -> Path:
        return Path(os.environ.get("HSSK_HOME", self.root / ".hssk"))

    @property
    def cache(self) -> Path:
        return self.home / "cache"

    @property
    def data(self) -> Path:
        return self.home / "data"

    @property
    def run(self) -> Path:
        return self.home / "run"

    @property
    def logs(self) -> Path:
        return self.home / "logs"

    @property
    def keys(self) -> Path:
        return self.home / "keys"

    def make(self) -> Layout:
        for d in (self.cache, self.data, self.run, self.logs, self.keys):
            d.mkdir(parents=True, exist_ok=True)
        return self
