"""Spreadsheet safety: text that a spreadsheet would run as a formula, made harmless.

A cell starting with `=`, `+`, `-`, `@` (or a tab or carriage return) runs as a formula in Excel,
LibreOffice and Google Sheets (OWASP's CSV injection). The CSV exports prefix such text with a
quote; the workbook writes it as a string with Excel's quote prefix.
"""

from __future__ import annotations

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    """Text that cannot run as a formula: prefix a risky first character with a quote (OWASP)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def formula_risk(value: str) -> bool:
    """Whether a spreadsheet would take this text for a formula."""
    return value.startswith(_FORMULA_START)

