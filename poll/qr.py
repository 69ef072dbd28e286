"""The join URL as an SVG QR code, drawn by the `qrcode` package."""

from __future__ import annotations

import html
import re
from functools import lru_cache

import qrcode
import qrcode.constants
from qrcode.image.svg import SvgPathImage


@lru_cache(maxsize=64)
def qr_svg(url: str, label: str = "QR code") -> str:
    """An inline SVG (no XML declaration, sized by CSS through its viewBox) encoding `url`;
    `label` is its accessible name."""
    code = qrcode.QRCode(
        # M: survives a few smudged modules on a projector; border 2 keeps it compact on a dark page
        error_correction=qrcode.constants.ERROR_CORRECT_M, border=2,
        image_factory=SvgPathImage,
    )
    code.add_data(url)
    code.make(fit=True)
    svg = code.make_image().to_string(encoding="unicode")
    svg = re.sub(r"^<\?xml[^>]*\?>\s*", "", svg)
    # Drop the fixed millimetre size so CSS decides; the viewBox keeps the proportions.
    svg = re.sub(r'\s(width|height)="[^"]*mm"', "", svg, count=2)
    label = html.escape(label, quote=True)
    return svg.replace("<svg ", f'<svg class="qr" role="img" aria-label="{label}" ', 1)
