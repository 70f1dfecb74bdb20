#!/usr/bin/env python3
"""Compare two Textual snapshot SVGs cell by cell (background colour, character, text style),
ignoring how the cells are grouped into SVG elements. Tells a change in the picture from a
change in the drawing (e.g. a table drawn by another widget, same pixels).

    python tools/snapshot_cells.py OLD.svg NEW.svg
    python tools/snapshot_cells.py --git main tests/__snapshots__/…/test_x.svg   # main vs worktree
"""
from __future__ import annotations

import html
import re
import subprocess
import sys

CELL_W, CELL_H, TOP = 12.2, 24.4, 1.5
_RECT = re.compile(r'<rect fill="(#[0-9a-f]+)" x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" '
                   r'height="[\d.]+" shape-rendering="crispEdges"/>')
_TEXT = re.compile(r'<text class="([^"]*)" x="([\d.]+)" y="[\d.]+" textLength="[\d.]+" '
                   r'clip-path="url\(#[^)]*line-(\d+)\)">(.*?)</text>')


def cells(svg: str) -> tuple[dict, dict]:
    css = dict(re.findall(r"\.(terminal-[\w-]+) \{ ([^}]*) \}", svg))
    bg: dict = {}
    fg: dict = {}
    for fill, x, y, w in _RECT.findall(svg):
        row, col = round((float(y) - TOP) / CELL_H), round(float(x) / CELL_W)
        for c in range(col, col + round(float(w) / CELL_W)):
            bg[(row, c)] = fill
    for cls, x, line, text in _TEXT.findall(svg):
        text = html.unescape(text).replace("\xa0", " ")
        style = css.get(cls.split()[0], cls)
        col = round(float(x) / CELL_W)
        for i, ch in enumerate(text):
            if ch != " ":
                fg[(int(line), col + i)] = (ch, style)
    return bg, fg


def diff(old: str, new: str) -> list[str]:
    (bg_a, fg_a), (bg_b, fg_b) = cells(old), cells(new)
    out = [f"фон {k}: {bg_a.get(k)} → {bg_b.get(k)}" for k in sorted(set(bg_a) | set(bg_b))
           if bg_a.get(k) != bg_b.get(k)]
    out += [f"знак {k}: {fg_a.get(k)} → {fg_b.get(k)}" for k in sorted(set(fg_a) | set(fg_b))
            if fg_a.get(k) != fg_b.get(k)]
    return out


def main(argv: list[str]) -> int:
    if argv[:1] == ["--git"]:
        rev, path = argv[1], argv[2]
        old = subprocess.run(["git", "show", f"{rev}:{path}"], capture_output=True, text=True,
                             check=True).stdout
        new = open(path, encoding="utf-8").read()
    else:
        old, new = (open(p, encoding="utf-8").read() for p in argv[:2])
    lines = diff(old, new)
    for line in lines[:40]:
        print(line)
    print(f"клеток с отличиями: {len(lines)}")
    return 1 if lines else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
