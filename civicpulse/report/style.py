"""The report's stylesheet: WCAG AA contrast (body text 12.6:1, muted text 5.7:1), printable."""

CSS = """
:root { --ink: #1f1f1f; --muted: #595959; --line: #d0d0d0; --accent: #0b4f8a; --bg: #f6f7f9; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
  color: var(--ink); background: var(--bg); }
a { color: var(--accent); }
.masthead { background: #0b3a66; color: #fff; padding: 22px 32px 18px; }
.masthead h1 { margin: 2px 0 6px; font-size: 26px; font-weight: 650; }
.kicker { margin: 0; text-transform: uppercase; letter-spacing: .08em; font-size: 12px; color: #dce9f7; }
.meta { margin: 0; color: #dce9f7; font-size: 13px; }
nav { background: #fff; border-bottom: 1px solid var(--line); padding: 8px 32px; }
nav ul { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 4px 16px; }
nav a { font-size: 13px; text-decoration: none; }
nav a:hover, nav a:focus { text-decoration: underline; }
main { padding: 16px 32px 40px; max-width: 1400px; }
section.page { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 18px 22px;
  margin: 0 0 20px; }
h2 { margin: 0 0 8px; font-size: 21px; }
h3 { margin: 18px 0 6px; font-size: 16px; }
.lede, .muted { color: var(--muted); }
.muted { font-size: 13px; }
.ok { color: #1d6b3e; }
.findings { background: #f3f6fa; border: 1px solid #d5e0ec; border-radius: 6px; padding: 6px 16px 8px;
  margin: 10px 0 14px; }
.findings h3 { margin: 6px 0 4px; }
.findings ul { margin: 0; padding-left: 0; list-style: none; }
.findings li { padding: 3px 0 3px 10px; border-left: 4px solid #b8322a; margin: 4px 0; }
.findings li.good { border-left-color: #1d6b3e; }
table { border-collapse: collapse; width: 100%; font-size: 13.5px; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid #e3e3e3; vertical-align: top; }
thead th { font-size: 12px; color: var(--muted); font-weight: 600; border-bottom: 2px solid var(--line); }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
table.overview th[scope=row] a { font-weight: 600; }
table.overview td { vertical-align: middle; }
td.headline { font-size: 12.5px; max-width: 340px; }
.dept { font-size: 12px; color: var(--muted); font-weight: 400; }
.arrow, .flat { font-size: 12px; margin-left: 2px; }
.flat { color: var(--muted); }
.sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap;
  }
.warning { background: #fdf3e7; border-left: 4px solid #b35c00; padding: 4px 12px; margin: 8px 0; }
.headline-box { background: #eef4fb; border-left: 4px solid var(--accent); padding: 8px 12px;
  margin: 8px 0 12px; }
.tiles { display: grid; grid-template-columns: repeat(5, minmax(0, 1fr)); gap: 10px; margin-bottom: 6px; }
.tile { border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; }
.tile .label { font-size: 12px; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
.tile .value { font-size: 22px; font-weight: 650; font-variant-numeric: tabular-nums; }
.grid { display: grid; grid-template-columns: 1fr 1fr; gap: 18px; }
.figure { margin: 0; }
.figure svg.chart { display: block; max-height: 260px; }
.axis { font-size: 11px; fill: #4d4d4d; }
figcaption { font-size: 12.5px; display: flex; flex-wrap: wrap; gap: 4px 14px; margin-top: 4px; }
.key svg { vertical-align: middle; margin-right: 4px; }
details.alt { font-size: 12.5px; margin-top: 6px; }
details.alt table { font-size: 12px; }
ol.anomalies { padding-left: 20px; }
li.anomaly { margin-bottom: 10px; }
li.anomaly.bad .what { border-left: 4px solid #b8322a; padding-left: 8px; }
li.anomaly.good .what { border-left: 4px solid #1d6b3e; padding-left: 8px; }
blockquote { margin: 6px 0 6px 12px; padding: 4px 10px; border-left: 3px solid var(--line);
  font-size: 13.5px; }
blockquote p { margin: 0; }
blockquote footer { font-size: 11.5px; color: var(--muted); }
.tag { display: inline-block; font-size: 11px; padding: 0 6px; border-radius: 8px; background: #ececec;
  color: #333; }
.tag.urgent { background: #fbe3e1; color: #8a1f17; }
code { font-size: 11.5px; }
.scroll { overflow-x: auto; max-width: 100%; position: relative; -webkit-overflow-scrolling: touch; }
.scroll:focus { outline: 2px solid var(--accent); }
.findings .why { margin: 2px 0 4px; }
@media (max-width: 600px) {
  .masthead, nav { padding-left: 14px; padding-right: 14px; }
  main { padding: 10px 8px 30px; }
  section.page { padding: 12px 10px; }
  .masthead h1 { font-size: 21px; }
  table.overview { min-width: 900px; }
}
@media (max-width: 900px) { .grid, .tiles { grid-template-columns: 1fr; } }
@media print {
  body { background: #fff; font-size: 11pt; }
  nav { display: none; }
  main { padding: 0; }
  .masthead { background: #fff; color: #000; border-bottom: 2px solid #000; padding: 0 0 8px; }
  .kicker, .meta { color: #333; }
  section.page { border: 0; padding: 0; page-break-before: always; break-before: page; }
  section#overview { page-break-before: avoid; break-before: avoid; }
  details.alt { display: none; }
  a { color: #000; text-decoration: none; }
}
"""
