"""MkDocs hook: a `\\|` inside a code span of a table row (needed on GitHub) shows as `|` on the site too."""

from __future__ import annotations

import re
from typing import Any

CODE_SPAN = re.compile(r"`[^`\n]*`")


def on_page_markdown(markdown: str, **_: Any) -> str:
    """Python-Markdown keeps the backslash inside code spans; its tables never split a code span at `|`."""
    lines = []
    for line in markdown.split("\n"):
        if line.startswith("|"):
            line = CODE_SPAN.sub(lambda span: span.group(0).replace("\\|", "|"), line)
        lines.append(line)
    return "\n".join(lines)
