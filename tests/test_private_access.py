"""No module of tracker reaches into a library's private names: `x._y` on a third-party object, or an import
from a library's private module or of its private name (issue 20). A library's private names change
without notice between its releases; the public API is what its authors keep."""

from __future__ import annotations

import ast
from pathlib import Path

import tracker

PACKAGE = Path(tracker.__file__).parent

# Underscore names that are public API, each with the reason.
PUBLIC_UNDERSCORED = {
    "_asdict": "namedtuple's documented method (collections.namedtuple, typing.NamedTuple)",
    "_fields": "namedtuple's documented attribute",
    "_replace": "namedtuple's documented method",
    "_make": "namedtuple's documented class method",
}
OWN_OBJECTS = {"self", "cls"}  # a class's own private names are its business


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _ours(module: str | None, level: int = 0) -> bool:
    return level > 0 or module == "tracker" or (module or "").startswith("tracker.")


def private_access(source: str, filename: str = "<source>") -> list[str]:
    """Every reach into a third-party private name in `source`, as 'line: what'."""
    tree = ast.parse(source, filename)
    own_names: set[str] = set()  # names bound to tracker's own modules (their private names are ours)
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if _ours(alias.name):
                    own_names.add(alias.asname or alias.name.split(".")[0])
                elif any(_private(part) for part in alias.name.split(".")):
                    found.append(f"{node.lineno}: import {alias.name}")
        elif isinstance(node, ast.ImportFrom):
            if _ours(node.module, node.level):
                own_names.update(alias.asname or alias.name for alias in node.names)
                continue
            module = node.module or ""
            if any(_private(part) for part in module.split(".")):
                found.append(f"{node.lineno}: from {module} import ...")
            found.extend(
                f"{node.lineno}: from {module} import {alias.name}" for alias in node.names if _private(alias.name)
            )
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute) or not _private(node.attr) or node.attr in PUBLIC_UNDERSCORED:
            continue
        if isinstance(node.value, ast.Name) and node.value.id in OWN_OBJECTS | own_names:
            continue
        found.append(f"{node.lineno}: {ast.unparse(node)}")
    return found


def test_no_module_of_tracker_uses_a_private_name_of_a_library() -> None:
    found = [
        f"{path.relative_to(PACKAGE.parent)}:{hit}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for hit in private_access(path.read_text(encoding="utf-8"), str(path))
    ]
    assert found == []


def test_the_check_finds_the_private_names_that_were_used() -> None:
    source = """
import zipfile
import openpyxl._private
from openpyxl.worksheet._reader import VALUE_TAG
from starlette.requests import _internal
from tracker.importing import files
from . import sibling

def handler(request, sheet, row):
    request._body = b""
    end = zipfile._EndRecData(None)
    sheet._get_source()
    files._too_big(1, "a")
    sibling._helper()
    self._mine = row._asdict()
    return row._fields, __name__.__class__
"""
    assert private_access(source) == [
        "3: import openpyxl._private",
        "4: from openpyxl.worksheet._reader import ...",
        "5: from starlette.requests import _internal",
        "10: request._body",
        "11: zipfile._EndRecData",
        "12: sheet._get_source",
    ]
