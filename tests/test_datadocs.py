"""Offline Data Docs: what `make_offline` does to the external references GX templates use."""

from __future__ import annotations

from pathlib import Path

from civicpulse.datadocs import make_offline

PAGE = """<!doctype html><html><head>
<link rel="stylesheet" href="https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css"/>
<script src="https://code.jquery.com/jquery-3.7.1.min.js"></script>
<style>@import url("https://fonts.example/x.css"); .navbar-brand a {
background: url('https://great-expectations-web-assets.s3.us-east-2.amazonaws.com/full_logo_dark.png')}</style>
<link rel="shortcut icon" href="../../../static/images/favicon.ico" type="image/x-icon"/>
</head><body>
<img src="https://great-expectations-web-assets.s3.us-east-2.amazonaws.com/logo-long.png?d=1" alt="GX">
<img src='//cdn.example/unknown.png'>
<p>Built with <a href="https://greatexpectations.io">Great Expectations</a>.</p>
<video poster="https://cdn.example/p.png"></video>
<script>$(".x").fadeIn();</script>
<footer><p>Newsletter <a href="https://greatexpectations.io/newsletter">Subscribe</a></p></footer>
<table><tr><td>kept</td></tr></table>
</body></html>"""


def test_make_offline_drops_or_localises_every_external_reference(tmp_path: Path) -> None:
    site = tmp_path / "site"
    images = site / "static" / "images"
    images.mkdir(parents=True)
    (images / "logo-long.png").write_bytes(b"png")
    (images / "favicon.ico").write_bytes(b"ico")
    page = site / "validations" / "suite" / "page.html"
    page.parent.mkdir(parents=True)
    page.write_text(PAGE, encoding="utf-8")

    assert make_offline(site) == 1
    text = page.read_text(encoding="utf-8")
    assert "//" not in text.replace("<!doctype", ""), text
    assert "<script" not in text and "<footer" not in text and "@import" not in text
    assert 'src="../../static/images/logo-long.png"' in text, "the logo GX copied into the site"
    assert 'href="../../static/images/favicon.ico"' in text, "static/ re-pointed one folder down"
    assert "<p>Built with Great Expectations.</p>" in text, "an outside link keeps its text"
    assert "<td>kept</td>" in text and text.count("<style>") == 2, "a local stylesheet is inlined"
