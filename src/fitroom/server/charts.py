"""Small SVG charts for the merchant dashboard, drawn here (no JavaScript chart library).

Each function returns a standalone ``<svg>`` string with a ``<title>`` and ``role="img"``; every
text it contains is escaped, so a garment named ``<script>`` stays text. Each bar carries
``data-label`` and ``data-value`` so a test can read the picture's numbers back.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

#: The shop's palette (matches style.css): ink, accent, second series, muted.
INK = "#1d1d1f"
ACCENT = "#1f5c4a"
SECOND = "#c2410c"
MUTED = "#6b7280"
GRID = "#e5e7eb"
#: Colours of the expression classes in the reaction chart.
EXPRESSION_COLOURS = {
    "happy": "#16a34a",
    "surprise": "#f59e0b",
    "neutral": "#9ca3af",
    "sad": "#3b82f6",
    "angry": "#dc2626",
    "disgust": "#7c3aed",
    "fear": "#0f766e",
}


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def _open(width: int, height: int, title: str) -> str:
    t = escape(title)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{t}" class="chart">'
        f"<title>{t}</title>"
    )


def _empty(width: int, title: str) -> str:
    return (
        _open(width, 60, title)
        + f'<text x="{width // 2}" y="34" text-anchor="middle" fill="{MUTED}" '
        'font-size="13">No data in this range</text></svg>'
    )


def horizontal_bars(
    items: Sequence[tuple[str, float]],
    *,
    title: str,
    width: int = 520,
    bar_height: int = 22,
    colour: str = ACCENT,
    label_width: int = 170,
) -> str:
    """One horizontal bar per (label, value), in the given order, value printed at the end."""
    if not items:
        return _empty(width, title)
    gap = 6
    height = len(items) * (bar_height + gap) + gap
    top = max(float(v) for _, v in items) or 1.0
    span = width - label_width - 60
    parts = [_open(width, height, title)]
    for i, (label, value) in enumerate(items):
        y = gap + i * (bar_height + gap)
        w = max(1.0, span * float(value) / top) if value else 0.0
        text = escape(label if len(label) <= 24 else label[:23] + "…")
        parts.append(
            f'<text x="{label_width - 8}" y="{y + bar_height * 0.7:.1f}" text-anchor="end" '
            f'font-size="12" fill="{INK}">{text}</text>'
            f'<rect x="{label_width}" y="{y}" width="{w:.1f}" height="{bar_height}" rx="3" '
            f'fill="{colour}" data-label="{escape(label)}" data-value="{value}"/>'
            f'<text x="{label_width + w + 6:.1f}" y="{y + bar_height * 0.7:.1f}" font-size="12" '
            f'fill="{INK}">{_fmt(value)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def columns(
    items: Sequence[tuple[str, float]],
    *,
    title: str,
    width: int = 720,
    height: int = 200,
    colour: str = ACCENT,
) -> str:
    """Vertical columns over a sequence (e.g. days), with a baseline and a few x labels."""
    if not items:
        return _empty(width, title)
    left, bottom, top_pad = 36, 24, 14
    plot_w, plot_h = width - left - 8, height - bottom - top_pad
    top = max(float(v) for _, v in items) or 1.0
    step = plot_w / len(items)
    bar_w = max(1.0, min(step * 0.8, 48.0))
    parts = [_open(width, height, title)]
    for frac in (0.5, 1.0):
        y = top_pad + plot_h * (1 - frac)
        parts.append(
            f'<line x1="{left}" x2="{width - 8}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>'
            f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" font-size="10" '
            f'fill="{MUTED}">{_fmt(round(top * frac, 0 if top >= 10 else 1))}</text>'
        )
    label_every = max(1, len(items) // 6)
    for i, (label, value) in enumerate(items):
        h = plot_h * float(value) / top
        x = left + i * step + (step - bar_w) / 2
        parts.append(
            f'<rect x="{x:.1f}" y="{top_pad + plot_h - h:.1f}" width="{bar_w:.1f}" '
            f'height="{h:.1f}" fill="{colour}" data-label="{escape(label)}" '
            f'data-value="{value}"><title>{escape(label)}: {_fmt(value)}</title></rect>'
        )
        if i % label_every == 0:
            parts.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{height - 8}" text-anchor="middle" '
                f'font-size="10" fill="{MUTED}">{escape(label)}</text>'
            )
    parts.append(
        f'<line x1="{left}" x2="{width - 8}" y1="{top_pad + plot_h}" y2="{top_pad + plot_h}" '
        f'stroke="{INK}"/></svg>'
    )
    return "".join(parts)


def paired_bars(
    items: Sequence[tuple[str, float, float]],
    *,
    title: str,
    series: tuple[str, str],
    width: int = 520,
    height: int = 220,
) -> str:
    """Two columns per label (e.g. sizes advised vs. carted) with a legend."""
    if not items:
        return _empty(width, title)
    left, bottom, top_pad = 36, 24, 28
    plot_w, plot_h = width - left - 8, height - bottom - top_pad
    top = max(max(float(a), float(b)) for _, a, b in items) or 1.0
    step = plot_w / len(items)
    bar_w = step * 0.36
    parts = [_open(width, height, title)]
    for j, (name, colour) in enumerate(zip(series, (ACCENT, SECOND), strict=True)):
        legend_x = left + j * 130
        parts.append(
            f'<rect x="{legend_x}" y="4" width="12" height="12" fill="{colour}"/>'
            f'<text x="{legend_x + 16}" y="14" font-size="12" fill="{INK}">{escape(name)}</text>'
        )
    for i, (label, a, b) in enumerate(items):
        x0 = left + i * step + step * 0.14
        for j, (value, colour) in enumerate(((a, ACCENT), (b, SECOND))):
            h = plot_h * float(value) / top
            x = x0 + j * bar_w
            parts.append(
                f'<rect x="{x:.1f}" y="{top_pad + plot_h - h:.1f}" width="{bar_w - 2:.1f}" '
                f'height="{h:.1f}" fill="{colour}" data-label="{escape(label)}" '
                f'data-series="{escape(series[j])}" data-value="{value}"/>'
                f'<text x="{x + bar_w / 2 - 1:.1f}" y="{top_pad + plot_h - h - 3:.1f}" '
                f'text-anchor="middle" font-size="10" fill="{INK}">{_fmt(value)}</text>'
            )
        parts.append(
            f'<text x="{x0 + bar_w:.1f}" y="{height - 8}" text-anchor="middle" font-size="12" '
            f'fill="{INK}">{escape(label)}</text>'
        )
    parts.append(
        f'<line x1="{left}" x2="{width - 8}" y1="{top_pad + plot_h}" y2="{top_pad + plot_h}" '
        f'stroke="{INK}"/></svg>'
    )
    return "".join(parts)


def share_bar(
    shares: dict[str, float], *, title: str, width: int = 520, colours: dict[str, str] | None = None
) -> str:
    """One 100 % bar split by share (e.g. reactions by dominant expression) with a legend."""
    if not shares:
        return _empty(width, title)
    colours = colours or EXPRESSION_COLOURS
    height = 40 + 20 * ((len(shares) + 2) // 3)
    total = sum(shares.values()) or 1.0
    parts = [_open(width, height, title)]
    x = 0.0
    for i, (label, share) in enumerate(shares.items()):
        w = width * share / total
        colour = colours.get(label, MUTED)
        parts.append(
            f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="26" fill="{colour}" '
            f'data-label="{escape(label)}" data-value="{share}">'
            f"<title>{escape(label)}: {share:.0%}</title></rect>"
        )
        x += w
        lx, ly = (i % 3) * (width / 3), 44 + 20 * (i // 3)
        parts.append(
            f'<rect x="{lx:.1f}" y="{ly - 10}" width="12" height="12" fill="{colour}"/>'
            f'<text x="{lx + 16:.1f}" y="{ly}" font-size="12" fill="{INK}">'
            f"{escape(label)} {share:.0%}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


__all__ = ["columns", "horizontal_bars", "paired_bars", "share_bar"]
