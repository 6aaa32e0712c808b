"""The Sweep page's figures and figures of progress: pure functions of a sweep's events and rows.

Seed 004's plot is accuracy against the width m with one line per depth k; the heatmap shows the
same grid at a glance. While a piece trains, its cells show the latest epoch's validation accuracy,
and a finished cell shows its best validation accuracy (or its test accuracy under the plain
protocol), so the lines fill in and settle: a cell still training is drawn hollow, a finished one
filled, so the points agree with "n of N done". A chart with nothing to show yet draws no axes,
only its note. No Streamlit here.
"""

from __future__ import annotations

import plotly.graph_objects as go

K_COLORS = {1: "#2563eb", 2: "#ea580c", 3: "#16a34a"}
GRID = "rgba(148,163,184,0.3)"
DASHES = ["solid", "dash", "dot", "dashdot"]


def cell_scores(events: list[dict], protocol: str = "seed004") -> dict[tuple[int, int], float]:
    """(k, m) → the accuracy to plot now: the latest epoch's while training, the row's once done."""
    key = "val_acc" if protocol == "seed004" else "test_acc"
    out: dict[tuple[int, int], float] = {}
    for e in events:
        if e.get("kind") == "epoch":
            for m, v in zip(e["widths"], e["val"]):
                out[(e["k"], m)] = v
        elif e.get("kind") == "row" and e.get(key) is not None:
            out[(e["k"], e["m"])] = e[key]
    return out


def finished(events: list[dict]) -> set[tuple[int, int]]:
    """The (k, m) cells whose rows are in."""
    return {(e["k"], e["m"]) for e in events if e.get("kind") == "row"}


def progress(events: list[dict], epochs: int) -> dict:
    """Where a sweep stands: the piece's depth and epoch, cells done of all, cells/s and seconds left.
    Work is counted in cell-epochs, so the estimate moves within a piece, not only when one ends."""
    start = next((e for e in events if e.get("kind") == "start"), {})
    cells = start.get("cells", 0)
    rows = [e for e in events if e.get("kind") == "row"]
    last = next((e for e in reversed(events) if e.get("kind") in ("epoch", "row")), None)
    done_rows = {(r["k"], r["m"]) for r in rows}
    training = {}  # the cells of unfinished pieces: their latest epoch
    for e in events:
        if e.get("kind") == "epoch":
            for m in e["widths"]:
                if (e["k"], m) not in done_rows:
                    training[(e["k"], m)] = e["epoch"]
    work = len(done_rows) * epochs + sum(training.values())
    elapsed = max((e.get("elapsed_s") or 0 for e in rows), default=0)
    piece_s = max((e["seconds"] for e in events if e.get("kind") == "epoch"), default=0)
    elapsed = max(elapsed, piece_s)
    rate = work / elapsed if elapsed else 0.0          # cell-epochs per second
    left = (cells * epochs - work) / rate if rate else None
    return {"cells": cells, "done": len(done_rows), "training": len(training), "k": (last or {}).get("k"),
            "epoch": (last or {}).get("epoch", epochs if last else 0), "cells_per_s": rate / max(epochs, 1),
            "left_s": left, "ended": any(e.get("kind") == "end" for e in events)}


def _layout(fig: go.Figure, title: str, xtitle: str, ytitle: str, height: int = 380) -> go.Figure:
    fig.update_layout(title=dict(text=title, x=0, font=dict(size=15)), height=height,
                      margin=dict(l=10, r=10, t=36, b=10), legend=dict(orientation="h", y=-0.22, x=0),
                      plot_bgcolor="rgba(0,0,0,0)", paper_bgcolor="rgba(0,0,0,0)")
    fig.update_xaxes(title=xtitle, gridcolor=GRID)
    fig.update_yaxes(title=ytitle, gridcolor=GRID, tickformat=".0%")
    return fig


def empty_figure(title: str, note: str, height: int = 380) -> go.Figure:
    """A chart with nothing in it yet: its title and a note, no axes (plotly would invent a range)."""
    fig = _layout(go.Figure(), title, "", "", height)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.add_annotation(text=note, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper",
                       font=dict(size=14, color="#64748b"))
    return fig


def lines_figure(scores: dict[tuple[int, int], float], title: str, ytitle: str, note: str = "",
                 done: set[tuple[int, int]] | None = None) -> go.Figure:
    """Seed 004's plot: accuracy against m, one line per k (markers show each trained width: filled
    when the cell is finished, hollow while it trains; `done` None: all finished)."""
    if not scores:
        return empty_figure(title, note)
    fig = go.Figure()
    for k in sorted({k for k, _ in scores}):
        pts = sorted((m, v) for (kk, m), v in scores.items() if kk == k)
        hollow = [done is not None and (k, m) not in done for m, _ in pts]
        fig.add_trace(go.Scatter(x=[m for m, _ in pts], y=[v for _, v in pts], name=f"k = {k}",
                                 mode="lines+markers", line=dict(color=K_COLORS.get(k), width=2),
                                 marker=dict(size=5 if len(pts) > 60 else 8, line=dict(width=2, color=K_COLORS.get(k)),
                                             symbol=["circle-open" if h else "circle" for h in hollow])))
    return _layout(fig, title, "m", ytitle)


def heatmap_figure(scores: dict[tuple[int, int], float], ks: list[int], ms: list[int], title: str,
                   note: str = "") -> go.Figure:
    """The (k, m) grid coloured by accuracy; cells not trained yet are blank."""
    if not scores:
        return empty_figure(title, note, height=120 + 60 * len(ks))
    z = [[scores.get((k, m)) for m in ms] for k in ks]
    fig = go.Figure(go.Heatmap(z=z, x=[str(m) for m in ms], y=[f"k = {k}" for k in ks], colorscale="Viridis",
                               colorbar=dict(tickformat=".0%"),
                               hovertemplate="m = %{x}, %{y}: %{z:.2%}<extra></extra>"))
    fig = _layout(fig, title, "m", "", height=120 + 60 * len(ks))
    fig.update_yaxes(tickformat=None)
    fig.update_xaxes(type="category", nticks=min(len(ms), 20))
    return fig


def compare_figure(sweeps: list[tuple[str, list[dict], str]], title: str, ytitle: str) -> go.Figure:
    """Several sweeps' finished rows: one line per (sweep, k), a dash per sweep, a colour per k."""
    fig = go.Figure()
    for i, (name, rows, protocol) in enumerate(sweeps):
        key = "val_acc" if protocol == "seed004" else "test_acc"
        for k in sorted({r["k"] for r in rows}):
            pts = sorted((r["m"], r[key]) for r in rows if r["k"] == k and r.get(key) is not None)
            fig.add_trace(go.Scatter(x=[m for m, _ in pts], y=[v for _, v in pts], name=f"{name} · k = {k}",
                                     mode="lines+markers", line=dict(color=K_COLORS.get(k), dash=DASHES[i % 4])))
    return _layout(fig, title, "m", ytitle)
