"""Where things are: one place for every default path, none of them relative to the current
directory.

`PARLEY_SHARED` names the shared folder (label spec, external evaluation files, real news
pools); by default it is `../shared` beside the source checkout. The project root is the
checkout this package runs from, or None for an installed package, where commands that need
the corpus or the models folder ask for paths explicitly.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def project_root() -> Path | None:
    """The source checkout holding this package (it has pyproject.toml and data/), or None."""
    root = PACKAGE_DIR.parent
    return root if (root / "pyproject.toml").is_file() and (root / "data").is_dir() else None


def shared_dir() -> Path:
    override = os.environ.get("PARLEY_SHARED")
    if override:
        return Path(override).expanduser().resolve()
    root = project_root() or Path.cwd()
    return root.parent / "shared"


def external_dir() -> Path:
    return shared_dir() / "external"


def pools_dir() -> Path:
    return external_dir() / "pools"


def in_project(*parts: str) -> Path:
    """A path inside the source checkout, or relative to the working directory when installed."""
    return (project_root() or Path.cwd()).joinpath(*parts)
