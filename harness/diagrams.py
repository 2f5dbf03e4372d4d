"""Draw the docs' diagrams as inline SVG that follows the page's colours (light and dark).

Regenerate with ``python -m harness.diagrams``; ``tests/test_docs.py`` checks that the
committed files are what this module draws.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PURGE_SEQUENCE = ROOT / "docs" / "includes" / "purge-sequence.svg"

LANES = {"Writer": 50, "Reader": 165, "Varnish": 300, "API": 450, "Database": 610}
#: A write, its commit and purge, a page in flight meanwhile, and the delayed purge.
MESSAGES = [
    ("Reader", "Varnish", "GET /books/1/ (miss)"),
    ("Varnish", "API", "GET: renders from the old row…"),
    ("Writer", "API", "PATCH /books/1/"),
    ("API", "Database", "UPDATE, COMMIT"),
    ("API", "Varnish", "PURGE xkey: keys of the rows written"),
    ("API", "Writer", "200"),
    ("API", "Varnish", "…the old page, stored after the purge"),
    ("Varnish", "Reader", "200 (old: the in-flight race)"),
    ("API", "Varnish", "PURGE again, delay seconds later"),
    ("Reader", "Varnish", "GET /books/1/ (miss)"),
    ("Varnish", "API", "GET: renders the new row"),
    ("Varnish", "Reader", "200 (new), then hits"),
]
TOP, STEP = 64, 38
LABEL = (
    "A write, its commit, its purge, and the delayed purge, between a writer, a reader, "
    "Varnish, the API and the database"
)


def sequence_svg(lanes: dict[str, int], messages: list[tuple[str, str, str]]) -> str:
    """Return a sequence diagram: a lifeline per lane, an arrow per message."""
    height = TOP + STEP * len(messages) + 20
    lines = [
        f'<svg class="sequence" viewBox="0 0 680 {height}" role="img" '
        f'aria-label="{LABEL}" xmlns="http://www.w3.org/2000/svg" '
        'style="width:100%;max-width:680px;height:auto" font-family="sans-serif" '
        'font-size="13">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" '
        'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
        '<path d="M0,0 L10,5 L0,10 z" fill="currentColor"/></marker></defs>',
    ]
    for name, x in lanes.items():
        lines.append(
            f'<text x="{x}" y="24" text-anchor="middle" font-weight="bold" '
            f'fill="currentColor">{name}</text>'
        )
        lines.append(
            f'<line x1="{x}" y1="34" x2="{x}" y2="{height - 8}" stroke="currentColor" '
            'stroke-opacity="0.35" stroke-dasharray="4 4"/>'
        )
    for n, (sender, receiver, label) in enumerate(messages):
        y = TOP + n * STEP
        start, end = lanes[sender], lanes[receiver]
        pad = 4 if end > start else -4
        lines.append(
            f'<line x1="{start + pad}" y1="{y}" x2="{end - pad}" y2="{y}" '
            'stroke="currentColor" stroke-width="1.5" marker-end="url(#arrow)"/>'
        )
        lines.append(
            f'<text x="{(start + end) / 2}" y="{y - 7}" text-anchor="middle" '
            f'fill="currentColor">{label}</text>'
        )
    lines.append("</svg>")
    return "\n".join(lines) + "\n"


def purge_sequence() -> str:
    return sequence_svg(LANES, MESSAGES)


if __name__ == "__main__":
    PURGE_SEQUENCE.write_text(purge_sequence())
