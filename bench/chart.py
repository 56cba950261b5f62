"""The benchmark chart: CPU per request and requests per second, Badge beside each peer, on log
scales (the values span three orders of magnitude). Plain SVG, no plotting library."""
from __future__ import annotations

import math
from html import escape

WIDTH, ROW, LABEL, GAP, RIGHT = 900, 26, 250, 100, 80
PANEL = (WIDTH - LABEL - GAP - RIGHT) // 2
BADGE, PEER = "#3b5bdb", "#adb5bd"


def _x(value: float, low: float, high: float) -> float:
    """Position of `value` on a log axis from `low` to `high`, in 0..PANEL."""
    span = math.log10(high) - math.log10(low)
    return PANEL * (math.log10(max(value, low)) - math.log10(low)) / span


def _compact(value: float) -> str:
    for limit, suffix in ((1e6, "M"), (1e3, "k")):
        if value >= limit:
            return f"{value / limit:g}{suffix}"
    return f"{value:g}"


def _decades(values: list[float]) -> tuple[float, float]:
    # Half the smallest value still gets a visible bar.
    return 10 ** math.floor(math.log10(min(values) / 2)), 10 ** math.ceil(math.log10(max(values)))


def svg(rows: list[tuple[str, float, float, bool]], title: str) -> str:
    """rows: (label, CPU µs per request, requests per second, is Badge)."""
    height = 70 + ROW * len(rows) + 30
    cpu_low, cpu_high = _decades([r[1] for r in rows])
    rps_low, rps_high = _decades([r[2] for r in rows])
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'font-family="system-ui, sans-serif" font-size="12">',
        f'<rect width="{WIDTH}" height="{height}" fill="#ffffff"/>',
        f'<text x="10" y="22" font-size="15" font-weight="600">{escape(title)}</text>',
        f'<text x="{LABEL}" y="48" fill="#333">CPU per request, µs (log; shorter is better)</text>',
        f'<text x="{LABEL + PANEL + GAP}" y="48" fill="#333">requests per second (log; longer is better)</text>',
    ]
    for left, low, high in ((LABEL, cpu_low, cpu_high), (LABEL + PANEL + GAP, rps_low, rps_high)):
        decade = low
        while decade <= high * 1.0001:
            x = left + _x(decade, low, high)
            out.append(f'<line x1="{x:.1f}" y1="56" x2="{x:.1f}" y2="{height - 28}" stroke="#e9ecef"/>')
            out.append(f'<text x="{x:.1f}" y="{height - 12}" text-anchor="middle" fill="#666">{_compact(decade)}</text>')
            decade *= 10
    for i, (label, cpu, rps, is_badge) in enumerate(rows):
        y = 60 + i * ROW
        colour = BADGE if is_badge else PEER
        weight = ' font-weight="600"' if is_badge else ""
        out.append(f'<text x="{LABEL - 8}" y="{y + 15}" text-anchor="end"{weight}>{escape(label)}</text>')
        for left, value, low, high, unit in ((LABEL, cpu, cpu_low, cpu_high, " µs"),
                                             (LABEL + PANEL + GAP, rps, rps_low, rps_high, "/s")):
            w = max(_x(value, low, high), 1)
            out.append(f'<rect x="{left}" y="{y + 3}" width="{w:.1f}" height="{ROW - 8}" fill="{colour}" rx="3"/>')
            # One decimal below 100 µs, as the table has it.
            shown = f"{value:,.1f}" if unit == " µs" and value < 100 else f"{value:,.0f}"
            out.append(f'<text x="{left + w + 4:.1f}" y="{y + 15}" fill="#333">{shown}{unit}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    demo = [("Badge hello-world", 25, 39099, True), ("FastAPI + PyJWT hello-world", 262, 3813, False),
            ("Badge /api/token", 96, 10391, True), ("Better Auth /api/auth/token", 3669, 272, False)]
    print(svg(demo, "demo"))
