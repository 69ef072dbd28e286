"""Where the templates, static files, demo statements and translations are, installed or not."""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def _beside_or_installed(name: str) -> Path:
    # In a checkout (or editable install) the folders sit beside the package, as the design card
    # fixes; a wheel built by `pip install .` carries them inside the package as _static/_templates.
    checkout = PACKAGE.parent
    if (checkout / "pyproject.toml").is_file() and (checkout / name).is_dir():
        return checkout / name
    return PACKAGE / f"_{name}"


STATIC = _beside_or_installed("static")
TEMPLATES = _beside_or_installed("templates")
DEMO = PACKAGE / "demo"
LOCALE = PACKAGE / "locale"
