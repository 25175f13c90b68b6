"""The findings-over-time chart: a small server-rendered SVG, no JavaScript needed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.html import escape

SERIES = [("CRITICAL", "#82071e"), ("HIGH", "#cf222e"), ("MEDIUM", "#9a6700"),
          ("LOW", "#59636e")]
WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 640, 230, 40, 16, 16, 50


@dataclass(frozen=True)
class TrendPoint:
    at: datetime
    counts: dict[str, int]
    label: str


def trend_svg(points: list[TrendPoint], *, title: str) -> str:
    """Lines of findings per severity, one point per completed scan, oldest on the left."""
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
            f'role="img" aria-labelledby="trend-title" class="trend-chart">'
            f'<title id="trend-title">{escape(title)}</title>')
    if not points:
        return (head + f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle" '
                'fill="#59636e">No completed scans yet</text></svg>')
    peak = max(1, *(max(p.counts.get(s, 0) for s, _ in SERIES) for p in points))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(i: int) -> float:
        return LEFT + (plot_w * i / (len(points) - 1) if len(points) > 1 else plot_w / 2)

    def y(value: int) -> float:
        return TOP + plot_h - plot_h * value / peak

    parts = [head,
             f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}" '
             'stroke="#d1d9e0"/>',
             f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}" stroke="#d1d9e0"/>',
             f'<text x="{LEFT - 6}" y="{TOP + 4}" text-anchor="end" font-size="11">{peak}</text>',
             f'<text x="{LEFT - 6}" y="{TOP + plot_h}" text-anchor="end" font-size="11">0</text>',
             f'<text x="{LEFT}" y="{TOP + plot_h + 14}" font-size="11">'
             f'{escape(points[0].label)}</text>',
             f'<text x="{WIDTH - RIGHT}" y="{TOP + plot_h + 14}" text-anchor="end" '
             f'font-size="11">{escape(points[-1].label)}</text>']
    for index, (severity, colour) in enumerate(SERIES):
        coords = " ".join(f"{x(i):.1f},{y(p.counts.get(severity, 0)):.1f}"
                          for i, p in enumerate(points))
        parts.append(f'<polyline class="series series-{severity}" fill="none" '
                     f'stroke="{colour}" stroke-width="2" points="{coords}"/>')
        for i, p in enumerate(points):
            parts.append(f'<circle cx="{x(i):.1f}" cy="{y(p.counts.get(severity, 0)):.1f}" '
                         f'r="2.5" fill="{colour}"><title>{escape(p.label)}: '
                         f'{p.counts.get(severity, 0)} {severity.lower()}</title></circle>')
        legend_x = LEFT + 12 + index * 90
        parts.append(f'<rect x="{legend_x}" y="{HEIGHT - 16}" width="10" height="10" '
                     f'fill="{colour}"/><text x="{legend_x + 14}" y="{HEIGHT - 7}" '
                     f'font-size="11">{severity.title()}</text>')
    parts.append("</svg>")
    return "".join(parts)
