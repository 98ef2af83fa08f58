"""Great Expectations Data Docs that work offline: no CDN scripts, styles, images or links.

GX renders its pages for Bootstrap, jQuery, bootstrap-table, Vega and Font Awesome loaded from CDNs
(`great_expectations/render/view/templates/`); no installed package ships local copies. Offline
those pages come up bare and the site index, whose table is filled in by jQuery, comes up empty. So
after GX has written a site, `make_offline` rewrites every page: external `<script>`, `<link>` and
CSS `url()` go, scripts go (every one of them needs jQuery), the GX logo points at the copy GX put
in the site's `static/images/`, links to GX's web site keep their text only, and a small stylesheet
is inlined. `write_index` replaces GX's scripted index with a static table of every validation.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script\s*>", re.IGNORECASE | re.DOTALL)
_EXTERNAL_LINK = re.compile(r"""<link\b[^>]*\bhref\s*=\s*["']?(?:https?:)?//[^>]*>""", re.IGNORECASE)
_EXTERNAL_IMG = re.compile(
    r"""(<img\b[^>]*\bsrc\s*=\s*)(["'])((?:https?:)?//[^"']*)\2([^>]*>)""", re.IGNORECASE
)
_EXTERNAL_ANCHOR = re.compile(
    r"""<a\b[^>]*\bhref\s*=\s*["']?(?:https?:)?//[^>]*>(.*?)</a\s*>""", re.IGNORECASE | re.DOTALL
)
_CSS_IMPORT = re.compile(r"""@import\s+(?:url\()?["']?(?:https?:)?//[^;]*;""", re.IGNORECASE)
_CSS_URL = re.compile(r"""url\(\s*["']?(?:https?:)?//[^)]*\)""", re.IGNORECASE)
# GX's only <footer> is its newsletter sign-up.
_FOOTER = re.compile(r"<footer\b[^>]*>.*?</footer\s*>", re.IGNORECASE | re.DOTALL)
# GX points some pages at static/ one folder too high (the favicon of validation pages).
_STATIC = re.compile(r"""\b(src|href)=(["'])((?:\.\./)*)static/([^"'?#]+)\2""")
# Whatever a future GX template adds that the rules above do not know.
_ANY_EXTERNAL = re.compile(
    r"""\s(?:src|href|srcset|action|poster|data)\s*=\s*["']?(?:https?:)?//[^"'\s>]*["']?""", re.IGNORECASE
)

STYLESHEET = """
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
color:#1b1f24;background:#fff;margin:0 auto;padding:1rem 1.5rem;max-width:1280px}
a{color:#0b5cad}
h1,h2,h3,h4,h5{line-height:1.25;margin:1rem 0 .5rem}
table{border-collapse:collapse;margin:.5rem 0 1rem;width:100%;font-size:14px}
th,td{border:1px solid #d0d7de;padding:.3rem .5rem;text-align:left;vertical-align:top}
th,thead td{background:#f3f5f7}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:13px}
.card{border:1px solid #d0d7de;border-radius:4px;margin:.75rem 0;padding:.25rem .75rem}
.card-header{font-weight:600}
.collapse{display:block}
.navbar{display:flex;align-items:center;gap:1rem;border-bottom:1px solid #d0d7de;padding:.5rem 0;
height:auto!important}
.navbar img{max-height:36px}
.row{display:flex;flex-wrap:wrap;gap:1.5rem}
.col-md-2{flex:0 0 14rem;min-width:0}
.col-md-10{flex:1 1 40rem;min-width:0}
.sticky{position:sticky;top:1rem}
.btn-group,.btn,.ge-how-to-button,.input-group,.bootstrap-table .fixed-table-toolbar{display:none!important}
.text-success{color:#1a7f37}.text-danger{color:#cf222e}.text-info{color:#0b5cad}
.text-warning{color:#9a6700}.text-muted{color:#57606a}
.fas,.far,.fa{font-style:normal}
.fa-check-circle::before,.fa-check::before{content:"\\2714"}
.fa-times-circle::before,.fa-times::before,.fa-circle-xmark::before,.fa-xmark::before{content:"\\2718"}
.fa-exclamation-triangle::before,.fa-triangle-exclamation::before{content:"\\26A0"}
.fa-comment::before,.fa-info-circle::before{content:"\\2139"}
.ok{color:#1a7f37;font-weight:600}.fail{color:#cf222e;font-weight:600}
"""


@dataclass(frozen=True)
class DocsEntry:
    """One validation on the index: its GX pages are relative to the site root."""

    name: str
    layer: str
    dataset: str
    success: bool
    evaluated: int
    failed: int
    checked_at: str
    validation_page: str
    suite_page: str


def make_offline(site: Path, pages: Sequence[Path] | None = None) -> int:
    """Rewrite the HTML pages under `site` (all of them, or `pages`) to load nothing from the network;
    returns the page count."""
    pages = sorted(site.rglob("*.html")) if pages is None else pages
    for page in pages:
        text = page.read_text(encoding="utf-8")
        page.write_text(_offline(text, page, site / "static"), encoding="utf-8")
    return len(pages)


def _offline(text: str, page: Path, static: Path) -> str:
    def relative(local: Path) -> str:
        return html.escape(Path(os.path.relpath(local, page.parent)).as_posix())

    def local_image(match: re.Match[str]) -> str:
        name = match.group(3).split("?", 1)[0].rsplit("/", 1)[-1]
        local = static / "images" / name
        if not name or not local.is_file():
            return ""
        return f"{match.group(1)}{match.group(2)}{relative(local)}{match.group(2)}{match.group(4)}"

    def local_static(match: re.Match[str]) -> str:
        local = static / match.group(4)
        if not local.is_file():
            return match.group(0)
        return f"{match.group(1)}={match.group(2)}{relative(local)}{match.group(2)}"

    text = _SCRIPT.sub("", text)
    text = _EXTERNAL_LINK.sub("", text)
    text = _FOOTER.sub("", text)
    text = _EXTERNAL_IMG.sub(local_image, text)
    text = _EXTERNAL_ANCHOR.sub(r"\1", text)
    text = _CSS_IMPORT.sub("", text)
    text = _CSS_URL.sub("none", text)
    text = _ANY_EXTERNAL.sub("", text)
    text = _STATIC.sub(local_static, text)
    style = f"<style>{STYLESHEET}</style>"
    if re.search(r"</head\s*>", text, re.IGNORECASE):
        return re.sub(r"</head\s*>", lambda _: f"{style}</head>", text, count=1, flags=re.IGNORECASE)
    return style + text


def write_index(site: Path, entries: Sequence[DocsEntry]) -> Path:
    """A static index.html of every validation (failures first), linking GX's pages."""
    rows = []
    for entry in sorted(entries, key=lambda e: (e.success, _LAYER_ORDER.get(e.layer, 9), e.name)):
        status = '<span class="ok">passed</span>' if entry.success else '<span class="fail">failed</span>'
        rows.append(
            f"<tr><td>{status}</td><td>{html.escape(entry.layer)}</td>"
            f'<td><a href="{html.escape(entry.validation_page)}">{html.escape(entry.name)}</a></td>'
            f"<td><code>{html.escape(entry.dataset)}</code></td>"
            f"<td>{entry.evaluated - entry.failed} of {entry.evaluated}</td>"
            f"<td>{html.escape(entry.checked_at)}</td>"
            f'<td><a href="{html.escape(entry.suite_page)}">expectations</a></td></tr>'
        )
    failed = sum(not e.success for e in entries)
    summary = (
        f"{len(entries)} validation(s), {failed} with a failed expectation"
        if entries
        else "No checks have run yet."
    )
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>civicpulse data quality checks</title><style>{STYLESHEET}</style></head>
<body><h1>Data quality checks (Great Expectations Data Docs)</h1>
<p>The latest validation of every landing stream and warehouse table: {summary}. A failed critical
expectation stops its task; warnings are recorded in <code>ops.dq_results</code>.</p>
<table><thead><tr><th scope="col">Result</th><th scope="col">Layer</th><th scope="col">Suite</th>
<th scope="col">Dataset</th><th scope="col">Expectations met</th><th scope="col">Checked (UTC)</th>
<th scope="col">Suite</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody></table></body></html>
"""
    target = site / "index.html"
    target.write_text(page, encoding="utf-8")
    return target


_LAYER_ORDER = {"landing": 0, "staging": 1, "core": 2, "marts": 3}
