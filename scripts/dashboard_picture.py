#!/usr/bin/env python3
"""Draws assets/grafana/satui-dashboard.json's layout as docs/pictures/grafana-dashboard.svg:
each panel at its grid position, with its kind, title and first query. Not a screenshot of
Grafana: a picture of what the JSON asks Grafana to draw, regenerated from it.

    python3 scripts/dashboard_picture.py
"""
import json
import pathlib
from xml.sax.saxutils import escape

root = pathlib.Path(__file__).resolve().parent.parent
dashboard = json.loads((root / "assets/grafana/satui-dashboard.json").read_text())
COL, ROW, PAD = 48, 26, 6
width = 24 * COL
height = max(p["gridPos"]["y"] + p["gridPos"]["h"] for p in dashboard["panels"]) * ROW + 40
out = [
    f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
    f'font-family="Inter, Helvetica, Arial, sans-serif">',
    f'<rect width="{width}" height="{height}" fill="#111217"/>',
    f'<text x="8" y="24" fill="#ccccdc" font-size="16" font-weight="bold">{escape(dashboard["title"])}</text>',
    f'<text x="{width - 8}" y="24" fill="#8e8e8e" font-size="12" text-anchor="end">Instance: All · last 6 hours · refresh 30s</text>',
]
for panel in dashboard["panels"]:
    g = panel["gridPos"]
    x, y = g["x"] * COL + PAD / 2, g["y"] * ROW + 36
    w, h = g["w"] * COL - PAD, g["h"] * ROW - PAD
    out.append(f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="3" fill="#181b1f" stroke="#2c3235"/>')
    out.append(f'<text x="{x + 8}" y="{y + 18}" fill="#ccccdc" font-size="13" font-weight="bold">{escape(panel["title"])}</text>')
    out.append(f'<text x="{x + w - 8}" y="{y + 18}" fill="#6e9fff" font-size="11" text-anchor="end">{escape(panel["type"])}</text>')
    query = panel["targets"][0]["expr"].replace('instance=~"$instance"', "…").replace("{…}", "").replace("{…,", "{")
    limit = int(w / 6.2)
    lines = [query[i:i + limit] for i in range(0, len(query), limit)][: max(1, int((h - 34) / 14))]
    for n, line in enumerate(lines):
        out.append(f'<text x="{x + 8}" y="{y + 38 + n * 14}" fill="#8e8e8e" font-size="11" font-family="monospace">{escape(line)}</text>')
out.append("</svg>")
(root / "docs/pictures/grafana-dashboard.svg").write_text("\n".join(out) + "\n")
print("wrote docs/pictures/grafana-dashboard.svg")
