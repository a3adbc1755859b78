#!/usr/bin/env python3
"""Checks a rendered report: the HTML is well-formed and references nothing outside itself, every
number it shows in a table is a number of summary.json, it has charts, each with a text
alternative (<title>), and no table without a data row, it contains every --expect TEXT, and (with
--png) the screenshot Chromium made of it is not blank. Prints 'ok' or the first problem; exits 1
on a problem."""
import re, sys, zlib, struct, xml.etree.ElementTree as ET

def fail(message):
    print(message)
    sys.exit(1)

html_path, summary_path = sys.argv[1], sys.argv[2]
png_path, expected = None, []
rest = sys.argv[3:]
while rest:
    if rest[0] == "--png":
        png_path, rest = rest[1], rest[2:]
    elif rest[0] == "--expect":
        expected.append(rest[1])
        rest = rest[2:]
    else:
        fail(f"unknown argument {rest[0]}")
html = open(html_path, encoding="utf-8").read()
for text in expected:
    if text not in html:
        fail(f"the report lacks {text!r}")
charts = re.findall(r"<svg.*?</svg>", html, re.DOTALL)
if not charts:
    fail("the report has no chart")
for chart in charts:
    if "<title>" not in chart:
        fail("a chart has no text alternative (<title>)")
for table in re.findall(r"<table.*?</table>", html, re.DOTALL):
    if "<td" not in table:
        fail("a table has no data row")

body = html.split("\n", 1)[1] if html.startswith("<!DOCTYPE html>") else html
try:
    ET.fromstring(body)
except ET.ParseError as error:
    fail(f"not well-formed: {error}")

for pattern in [r"<script", r"<link", r"<img", r"<iframe", r"\ssrc\s*=", r"\shref\s*=", r"url\(", r"@import"]:
    if re.search(pattern, html, re.IGNORECASE):
        fail(f"references something external: {pattern}")

summary = open(summary_path, encoding="utf-8").read()
numbers = set(re.findall(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?", summary))
values = re.findall(r'data-value="([^"]*)"', html)
if len(values) < 10:
    fail(f"only {len(values)} table values")
for value in values:
    if value not in numbers:
        fail(f"table value {value} is not in summary.json")

if png_path:
    data = open(png_path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        fail("not a PNG")
    offset, idat, width, height, colour = 8, b"", 0, 0, 0
    while offset < len(data):
        length, kind = struct.unpack(">I4s", data[offset:offset + 8])
        chunk = data[offset + 8:offset + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", chunk[:10])
        elif kind == b"IDAT":
            idat += chunk
        offset += 12 + length
    raw = zlib.decompress(idat)
    channels = {2: 3, 6: 4, 0: 1, 4: 2}.get(colour, 3)
    stride = width * channels + 1
    # Count distinct raw byte runs per row start: filtered rows differ wherever the image does.
    rows = {raw[r * stride:(r + 1) * stride] for r in range(0, height, max(1, height // 200))}
    if width < 400 or height < 400 or len(rows) < 20:
        fail(f"the screenshot looks blank ({width}x{height}, {len(rows)} distinct rows sampled)")
print("ok")
