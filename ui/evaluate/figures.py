"""Figures of the Evaluate page: numpy in, plotly figures out. No Streamlit here.

The confusion matrix is a scatter of points, not a heatmap: Streamlit's selection events (`on_select`)
work for scatter points and return nothing for heatmap cells (streamlit#8760). The cells' colours are
rectangles in data coordinates under the points, so they shrink with the chart on a phone instead of
overlapping as fixed-size markers did."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

CELL_PX = 36
DARK_TEXT, LIGHT_TEXT = "#0f172a", "#ffffff"
EMPTY = "#f8fafc"      # a cell with no images: plain, so the eye goes to the ones that hold mistakes
DIAGONAL = (37, 99, 235, 0.18)


def _on_white(r: int, g: int, b: int, a: float) -> tuple[float, float, float]:
    """The colour a translucent cell shows on the white page."""
    return tuple(255 - a * (255 - c) for c in (r, g, b))


def luminance(rgb) -> float:
    """WCAG's relative luminance of an sRGB colour (0–255 channels)."""
    lin = [(c / 255) / 12.92 if c / 255 <= 0.03928 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a, b) -> float:
    """WCAG contrast ratio of two colours: 4.5 is what small text needs to be read."""
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def _hex(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))


def cell_colours(value: np.ndarray, off: np.ndarray) -> tuple[list[str], list[str]]:
    """Each cell's fill and the colour of its count: mistakes red by their share of the largest mistake,
    the diagonal pale blue, empty mistakes plain; the count white or dark, whichever reads better on it."""
    peak = max(value[off].max(), 1e-9) if off.any() else 1.0
    fills, texts = [], []
    for v, o in zip(value, off):
        # the diagonal dwarfs every mistake: colour mistakes on their own scale so a 1% confusion shows
        rgba = (220, 38, 38, 0.12 + 0.83 * v / peak) if o else DIAGONAL
        shown = _hex(EMPTY) if o and v == 0 else _on_white(*rgba)
        fills.append(EMPTY if o and v == 0 else f"rgba({rgba[0]},{rgba[1]},{rgba[2]},{rgba[3]:.3f})")
        texts.append(max((DARK_TEXT, LIGHT_TEXT), key=lambda t: contrast(_hex(t), shown)))
    return fills, texts


def confusion(cm: np.ndarray, normalised: bool, xlabel: str, ylabel: str, selected: tuple[int, int] | None = None
              ) -> go.Figure:
    """Rows: true digit (0 on top); columns: predicted digit. Every cell is a clickable point."""
    k = len(cm)
    totals = cm.sum(1, keepdims=True)
    shares = np.divide(cm, totals, out=np.zeros(cm.shape), where=totals > 0)
    true, pred = np.divmod(np.arange(k * k), k)
    value = shares.ravel() if normalised else cm.ravel().astype(float)
    fills, inks = cell_colours(value, true != pred)
    text = [(f"{v:.0%}" if v >= 0.005 else "") if normalised else (str(int(v)) if v else "") for v in value]
    fig = go.Figure(go.Scatter(
        x=pred, y=true, mode="markers+text", text=text, textfont=dict(size=13, color=inks),
        customdata=np.stack([true, pred, cm.ravel()], 1),  # a clear marker the size of a cell: what a click hits
        marker=dict(symbol="square", size=CELL_PX, line=dict(width=0), color="rgba(0,0,0,0)"),
        hovertemplate="true %{customdata[0]} → %{customdata[1]}: %{customdata[2]}<extra></extra>"))
    half = 0.47  # a hair of white between cells
    for x, y, fill in zip(pred, true, fills):
        fig.add_shape(type="rect", x0=x - half, x1=x + half, y0=y - half, y1=y + half, fillcolor=fill,
                      line_width=0, layer="below")
    if selected is not None:
        fig.add_shape(type="rect", x0=selected[1] - 0.5, x1=selected[1] + 0.5, y0=selected[0] - 0.5,
                      y1=selected[0] + 0.5, line=dict(color="#0f172a", width=3))
    axis = dict(tickmode="array", tickvals=list(range(k)), range=[-0.6, k - 0.4], showgrid=False, zeroline=False,
                tickfont=dict(size=15), fixedrange=True)
    fig.update_layout(height=CELL_PX * k + 90, width=CELL_PX * k + 110, margin=dict(l=60, r=10, t=10, b=50),
                      showlegend=False, font=dict(size=15, color="#1e293b"), plot_bgcolor="rgba(0,0,0,0)",
                      clickmode="event+select", dragmode=False,
                      xaxis=dict(axis, title=xlabel, side="bottom"),
                      yaxis=dict(axis, title=ylabel, autorange=None, range=[k - 0.4, -0.6]))
    return fig


def confidence_hist(right: np.ndarray, wrong: np.ndarray, names: tuple[str, str], xlabel: str) -> go.Figure:
    """Share of right and of wrong answers at each confidence: two histograms normalised apart."""
    bins = dict(start=0.0, end=1.0001, size=0.05)
    fig = go.Figure([go.Histogram(x=right, name=names[0], xbins=bins, histnorm="percent", marker_color="#2563eb",
                                  opacity=0.75),
                     go.Histogram(x=wrong, name=names[1], xbins=bins, histnorm="percent", marker_color="#dc2626",
                                  opacity=0.75)])
    fig.update_layout(barmode="overlay", height=300, margin=dict(l=10, r=10, t=36, b=10), font=dict(size=15),
                      legend=dict(orientation="h", y=1.15, font=dict(size=15)), plot_bgcolor="rgba(0,0,0,0)",
                      xaxis=dict(title=xlabel, tickformat=".0%", range=[0, 1.0], tickfont=dict(size=14)),
                      yaxis=dict(ticksuffix="%", tickfont=dict(size=14)))
    return fig


def reliability(rel, xlabel: str, ylabel: str, names: tuple[str, str]) -> go.Figure:
    """Bars: the share right among the answers in each confidence bin, with the count on each bar; the
    diagonal: where a model that is exactly as sure as it is right would be (`names`: bars, diagonal)."""
    centre, width = (rel.edges[:-1] + rel.edges[1:]) / 2, np.diff(rel.edges)
    shown = rel.count > 0  # plain lists: the figure's JSON stays readable (no base64 arrays)
    fig = go.Figure([
        go.Bar(x=centre[shown].tolist(), y=rel.accuracy[shown].tolist(), width=(width[shown] * 0.92).tolist(),
               name=names[0], marker_color="#2563eb", text=[f"{k:,}" for k in rel.count[shown]],
               textposition="outside", textfont=dict(size=13),
               customdata=np.stack([rel.confidence[shown], rel.count[shown]], 1).tolist(),
               hovertemplate="%{customdata[0]:.0%} sure on average: %{y:.1%} right of %{customdata[1]:,}"
                             "<extra></extra>"),
        go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name=names[1], line=dict(color="#dc2626", dash="dash"),
                   hoverinfo="skip")])
    fig.update_layout(height=320, margin=dict(l=10, r=10, t=36, b=10), font=dict(size=15),
                      legend=dict(orientation="h", y=1.15, font=dict(size=15)), plot_bgcolor="rgba(0,0,0,0)",
                      xaxis=dict(title=xlabel, tickformat=".0%", range=[0, 1.0], tickfont=dict(size=14)),
                      yaxis=dict(title=ylabel, tickformat=".0%", range=[0, 1.12], tickfont=dict(size=14)),
                      dragmode=False)
    return fig
