"""Charts drawn on the server as inline SVG: no script, no library to ship, they print,
and they work offline. Each has a title and a text alternative (the figures are also
in a table beside it), and uses classes, not inline styles (the pages' CSP).
"""

from collections.abc import Sequence

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

WIDTH, HEIGHT = 720, 200
PAD_LEFT, PAD_BOTTOM, PAD_TOP = 36, 22, 8


@register.simple_tag
def percent_bars(
    points: Sequence[tuple[str, float | None]],
    target: float | None = None,
    title: str = "",
    label_every: int = 1,
) -> SafeString:
    """Bars of percentages (0–100), one per (label, value) point, a dashed target line,
    and the axis labels of every `label_every`-th point. A point without a value (no
    calls in that interval) draws no bar, so it never reads as 0 %."""
    plot_h = HEIGHT - PAD_BOTTOM - PAD_TOP
    plot_w = WIDTH - PAD_LEFT
    step = plot_w / max(len(points), 1)
    bar_w = max(step * 0.7, 1)

    def y(value: float) -> str:
        # format_html escapes its arguments into strings: numbers go in formatted.
        return f"{PAD_TOP + plot_h * (1 - min(max(value, 0), 100) / 100):.1f}"

    def n(value: float) -> str:
        return f"{value:.1f}"

    grid = format_html_join(
        "",
        '<line class="chart-grid" x1="{}" x2="{}" y1="{}" y2="{}"/>'
        '<text class="chart-axis" x="{}" y="{}" text-anchor="end">{}%</text>',
        ((PAD_LEFT, WIDTH, y(v), y(v), PAD_LEFT - 4, n(float(y(v)) + 4), v) for v in (0, 50, 100)),
    )
    bars = []
    for index, (label, value) in enumerate(points):
        x = PAD_LEFT + index * step + (step - bar_w) / 2
        if value is not None:
            met = target is None or value >= target
            bars.append(
                format_html(
                    '<rect class="chart-bar {}" x="{}" y="{}" width="{}" '
                    'height="{}"><title>{}: {}%</title></rect>',
                    "chart-met" if met else "chart-missed",
                    n(x),
                    y(value),
                    n(bar_w),
                    n(float(y(0)) - float(y(value))),
                    label,
                    value,
                )
            )
        if index % label_every == 0:
            bars.append(
                format_html(
                    '<text class="chart-axis" x="{}" y="{}" text-anchor="middle">{}</text>',
                    n(x + bar_w / 2),
                    HEIGHT - 6,
                    label,
                )
            )
    target_line = SafeString("")
    if target is not None:
        target_line = format_html(
            '<line class="chart-target" x1="{}" x2="{}" y1="{}" y2="{}"/>'
            '<text class="chart-target-label" x="{}" y="{}" text-anchor="end">{}%</text>',
            PAD_LEFT,
            WIDTH,
            y(target),
            y(target),
            WIDTH - 2,
            n(float(y(target)) - 3),
            target,
        )
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-label="{}"><title>{}</title>'
        "{}{}{}</svg>",
        WIDTH,
        HEIGHT,
        title,
        title,
        grid,
        mark_safe("".join(bars)),  # each bar built by format_html above
        target_line,
    )
