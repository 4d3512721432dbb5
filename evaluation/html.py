"""Markdown reports to one self-contained HTML file (plots embedded as data URIs)."""

from __future__ import annotations

import base64
import html
import re
from pathlib import Path

import markdown as md

STYLE = """body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0;font-size:14px}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}
th{background:#f3f3f3}img{max-width:100%}code{background:#f5f5f5;padding:0 3px}li{margin:2px 0}"""
_SRC = re.compile(r'src="([^"]+\.png)"')


def markdown_to_html(text: str, base: Path | None = None, title: str = "Parley report") -> str:
    body = md.markdown(text, extensions=["tables"])
    if base is not None:

        def embed(match):
            path = base / match.group(1)
            if not path.is_file():
                return match.group(0)
            return 'src="data:image/png;base64,' + base64.b64encode(path.read_bytes()).decode("ascii") + '"'

        body = _SRC.sub(embed, body)
    return (
        f"<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<style>{STYLE}</style></head><body>\n{body}\n</body></html>\n"
    )
