"""Plain-text columns that stay apart whatever the length of a name."""

from __future__ import annotations

from collections.abc import Sequence

GAP = "  "


def columns(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """``header`` and ``rows`` as lines, each column as wide as its widest cell plus a gap."""
    table = [list(header), *(list(row) for row in rows)]
    widths = [max(len(row[i]) for row in table) for i in range(len(header) - 1)]
    return [GAP.join([*(cell.ljust(w) for cell, w in zip(row, widths, strict=False)),
                      row[-1]]).rstrip() for row in table]
