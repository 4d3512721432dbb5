"""Hyper-parameters: family defaults, then a TOML file, then command-line overrides."""

from __future__ import annotations

import inspect
import tomllib
from pathlib import Path

from parley.errors import InputError
from parley.training.base import get_family


def family_defaults(family: str) -> dict:
    signature = inspect.signature(get_family(family).__init__)
    return {
        name: (list(p.default) if isinstance(p.default, tuple) else p.default)
        for name, p in signature.parameters.items()
        if name != "self"
    }


def load_config(family: str, path: str | Path | None = None, overrides: dict | None = None) -> dict:
    """Merge defaults < file < overrides; unknown keys are an error, not silently ignored.

    The file may hold the keys at top level or under a table named after the family
    (`[linear]`), so one file can configure several families.
    """
    config = family_defaults(family)
    if path is not None:
        path = Path(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise InputError("no such config file", path) from None
        except tomllib.TOMLDecodeError as exc:
            raise InputError(f"invalid TOML: {exc}", path) from None
        section = data.get(family, {k: v for k, v in data.items() if not isinstance(v, dict)})
        _merge(config, section, str(path), family)
    _merge(config, overrides or {}, "command line", family)
    return config


def _merge(config: dict, values: dict, origin: str, family: str) -> None:
    unknown = sorted(set(values) - set(config))
    if unknown:
        raise InputError(f"unknown {family} parameter(s) {unknown} from {origin}; known: {sorted(config)}")
    for key, value in values.items():
        if value is not None:
            config[key] = value


def parse_override(text: str) -> tuple[str, object]:
    """'C=2.0' -> ('C', 2.0) using TOML value syntax; bare words stay strings."""
    if "=" not in text:
        raise InputError(f"--set expects KEY=VALUE, got {text!r}")
    key, raw = text.split("=", 1)
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw
    return key.strip(), value
