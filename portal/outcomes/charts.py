"""Charts drawn on the server as inline SVG: no JavaScript, and a text alternative.

Pure functions, no Flask and no database. Each chart is a horizontal bar chart with
``role="img"``, a ``<title>`` and an ``aria-label`` saying what it shows; pages put the
same numbers in a table beside it, so nobody depends on the picture.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape

from markupsafe import Markup

# GOV.UK Frontend colours with enough contrast against white (WCAG 1.4.11).
SERIES_COLOURS = ("#1d70b8", "#0b0c0c", "#00703c", "#d4351c")
TEXT_COLOUR = "#0b0c0c"
LABEL_WIDTH = 260
BAR_AREA = 380
VALUE_WIDTH = 90
BAR_HEIGHT = 18
GAP = 12
LEGEND_LINE = 20
FONT = "font-family: arial, sans-serif; font-size: 14px"


@dataclass(frozen=True)
class Bar:
    label: str
    # One value per series, with how each is written beside its bar.
    values: Sequence[Decimal | int]
    texts: Sequence[str]


def bar_chart(
    title: str,
    bars: Sequence[Bar],
    *,
    series: Sequence[str] = (),
    maximum: Decimal | int | None = None,
) -> Markup:
    """An SVG horizontal bar chart. ``series`` names each value of a bar (a legend is drawn
    when there is more than one); ``maximum`` fixes the scale (100 for percentages)."""
    count = max((len(bar.values) for bar in bars), default=1) or 1
    names = list(series) or [""] * count
    top = max((Decimal(v) for bar in bars for v in bar.values), default=Decimal(0))
    scale = Decimal(maximum) if maximum is not None else top
    legend_height = count * LEGEND_LINE + 8 if count > 1 else 0
    group_height = count * BAR_HEIGHT + GAP
    height = legend_height + max(len(bars), 1) * group_height + GAP
    width = LABEL_WIDTH + BAR_AREA + VALUE_WIDTH
    label = _alternative(title, bars, names)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" role="img" '
        f'aria-label="{escape(label)}" viewBox="0 0 {width} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" style="max-width: {width}px">',
        f"<title>{escape(label)}</title>",
    ]
    if count > 1:
        for index, name in enumerate(names):
            colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
            y = 4 + index * LEGEND_LINE
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{y}" width="14" height="14" fill="{colour}"/>'
            )
            parts.append(
                f'<text x="{LABEL_WIDTH + 20}" y="{y + 12}" style="{FONT}" '
                f'fill="{TEXT_COLOUR}">{escape(name)}</text>'
            )
    for row, bar in enumerate(bars):
        y = legend_height + row * group_height + GAP // 2
        middle = y + (len(bar.values) * BAR_HEIGHT) / 2 + 5
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{middle:.0f}" text-anchor="end" style="{FONT}" '
            f'fill="{TEXT_COLOUR}">{escape(_short(bar.label))}</text>'
        )
        for index, (value, text) in enumerate(zip(bar.values, bar.texts, strict=True)):
            length = 0 if not scale else int(Decimal(value) / Decimal(scale) * BAR_AREA)
            bar_y = y + index * BAR_HEIGHT
            colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{bar_y}" width="{max(length, 1)}" '
                f'height="{BAR_HEIGHT - 3}" fill="{colour}"/>'
            )
            parts.append(
                f'<text x="{LABEL_WIDTH + max(length, 1) + 6}" y="{bar_y + 13}" style="{FONT}" '
                f'fill="{TEXT_COLOUR}">{escape(text)}</text>'
            )
    parts.append("</svg>")
    # Every piece of text in ``parts`` went through ``escape`` above.
    return Markup("".join(parts))  # noqa: S704


def _short(text: str, most: int = 34) -> str:
    return text if len(text) <= most else text[: most - 1] + "…"


def _alternative(title: str, bars: Sequence[Bar], names: Sequence[str]) -> str:
    """The chart in words: its title, then each bar's values."""
    if not bars:
        return f"{title}: nothing to show."
    described = []
    for bar in bars:
        values = ", ".join(
            f"{name} {text}".strip() for name, text in zip(names, bar.texts, strict=False)
        )
        described.append(f"{bar.label}: {values}")
    return f"{title}. " + "; ".join(described) + "."
