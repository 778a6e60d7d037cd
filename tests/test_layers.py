"""The layers contract covers the whole package: every module of tracker sits in a layer of `.importlinter`."""

from __future__ import annotations

import configparser
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def layer_modules() -> set[str]:
    config = configparser.ConfigParser()
    config.read(ROOT / ".importlinter")
    layers = config["importlinter:contract:layers"]["layers"]
    return {name for name in re.split(r"[\s|:]+", layers) if name}


def test_every_module_is_in_a_layer() -> None:
    covered = layer_modules()
    modules = {
        ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for path in (ROOT / "tracker").rglob("*.py")
    }
    outside = sorted(
        module
        for module in modules
        if module != "tracker"
        and not any(module == layer or module.startswith(layer + ".") for layer in covered)
        and module not in {"tracker.settings", "tracker.rates", "tracker.ledger"}  # packages whose modules are listed
    )
    assert outside == []
