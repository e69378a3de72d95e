"""The seed report as one HTML page: inline CSS and SVG, no script, nothing fetched."""

from __future__ import annotations

import html
from typing import Any

from fixturekit.seed.report.collect import ChildrenReport, ColumnReport, SeedReport

SEEDED = "#2f6db5"
ASKED = "#e3a21a"
_CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:1100px;
color:#1d2430;padding:0 1rem}
h1{font-size:1.6rem;margin:0 0 .3rem}h2{font-size:1.25rem;margin:2rem 0 .6rem;
border-bottom:2px solid #dfe4ec;padding-bottom:.2rem}h3{font-size:.95rem;margin:.2rem 0}
.meta{color:#5b6576}.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(330px,1fr));
gap:14px}.card{border:1px solid #dfe4ec;border-radius:8px;padding:10px 12px;background:#fbfcfe}
.small{color:#5b6576;font-size:12px}table.sum{border-collapse:collapse;margin:.6rem 0}
table.sum td,table.sum th{padding:3px 12px;border-bottom:1px solid #e6e9ef;text-align:right}
table.sum th:first-child,table.sum td:first-child{text-align:left}
.key{display:inline-block;width:10px;height:10px;border-radius:2px;margin:0 4px 0 10px}
"""


def _e(value: Any) -> str:
    return html.escape(str(value))


def _pct(value: float) -> str:
    return f"{value * 100:.1f}%"


def _bars(items: list[tuple[str, float, float | None]]) -> str:
    """Horizontal bars: seeded share (blue) with the asked-for share (amber) beneath."""
    height = 22 * len(items) + 6
    out = [f'<svg viewBox="0 0 300 {height}" width="100%" role="img">']
    for i, (label, seeded, asked) in enumerate(items):
        y = 4 + i * 22
        out.append(f'<text x="0" y="{y + 12}" font-size="11">{_e(label[:14])}</text>')
        out.append(
            f'<rect x="92" y="{y}" width="{max(1, seeded * 150):.1f}" height="9" fill="{SEEDED}"/>'
        )
        if asked is not None:
            out.append(
                f'<rect x="92" y="{y + 10}" width="{max(1, asked * 150):.1f}" '
                f'height="6" fill="{ASKED}"/>'
            )
        text = _pct(seeded) + (f" / {_pct(asked)}" if asked is not None else "")
        out.append(f'<text x="248" y="{y + 12}" font-size="10">{text}</text>')
    out.append("</svg>")
    return "".join(out)


def _histogram(bins: list[tuple[str, float]]) -> str:
    if not bins:
        return ""
    width, height = 300, 90
    top = max(share for _, share in bins) or 1
    step = width / len(bins)
    out = [f'<svg viewBox="0 0 {width} {height + 16}" width="100%" role="img">']
    for i, (_, share) in enumerate(bins):
        bar = share / top * height
        out.append(
            f'<rect x="{i * step + 1:.1f}" y="{height - bar:.1f}" '
            f'width="{max(step - 2, 1):.1f}" height="{bar:.1f}" fill="{SEEDED}"/>'
        )
    out.append(f'<text x="0" y="{height + 13}" font-size="10">{_e(bins[0][0])}</text>')
    out.append(
        f'<text x="{width}" y="{height + 13}" font-size="10" text-anchor="end">'
        f"{_e(bins[-1][0])}</text>"
    )
    out.append("</svg>")
    return "".join(out)


def _column(column: ColumnReport) -> str:
    expected = column.expected
    nulls = f"NULL {_pct(column.null_rate)}"
    if expected.null_rate is not None:
        nulls += f" (asked {_pct(expected.null_rate)})"
    if column.shares:
        labels = list(dict.fromkeys([*column.shares, *expected.weights]))
        chart = _bars(
            [
                (
                    k,
                    column.shares.get(k, 0.0),
                    expected.weights.get(k) if expected.weights else None,
                )
                for k in labels[:12]
            ]
        )
    else:
        chart = _histogram(column.histogram)
    if column.distinct is not None:
        nulls += f" · {column.distinct:,} distinct"
    if column.numbers:
        nulls += f" · {column.numbers}"
    return (
        f'<div class="card"><h3>{_e(column.name)} <span class="small">{_e(column.kind)}</span>'
        f'</h3><div class="small">{_e(expected.how)} · {nulls}</div>{chart}</div>'
    )


def _children(children: ChildrenReport) -> str:
    bins = [(str(c), share) for c, share in children.counts[:30]]
    return (
        f'<div class="card"><h3>children per {_e(children.parent)} row '
        f'<span class="small">via {_e(children.column)}</span></h3>'
        f'<div class="small">asked: {_e(children.expected)}</div>{_histogram(bins)}'
        f'<div class="small">' + ", ".join(f"{c}: {_pct(s)}" for c, s in bins[:8]) + "</div></div>"
    )


def render_report(report: SeedReport, title: str) -> str:
    rate = report.total_rows / report.seconds if report.seconds else 0
    summary = "".join(f"<tr><td>{_e(t.name)}</td><td>{t.rows:,}</td></tr>" for t in report.tables)
    sections = []
    for table in report.tables:
        cards = [_column(c) for c in table.columns] + [_children(c) for c in table.children]
        sections.append(
            f'<h2 id="{_e(table.name)}">{_e(table.name)} <span class="small">{table.rows:,} '
            f'rows</span></h2><div class="grid">{"".join(cards)}</div>'
        )
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{_e(title)}</h1><p class=meta>{report.total_rows:,} rows in "
        f"{len(report.tables)} tables into {_e(report.url)} in {report.seconds:.1f} s "
        f"({rate:,.0f} rows/s) · seed {report.seed} · dates from {report.today}</p>"
        f'<p class=small><span class="key" style="background:{SEEDED}"></span>seeded'
        f'<span class="key" style="background:{ASKED}"></span>configured or learned</p>'
        f'<table class="sum"><tr><th>table</th><th>rows</th></tr>{summary}</table>'
        + "".join(sections)
        + "</body></html>"
    )
