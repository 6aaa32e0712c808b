"""Figures of the Evaluate page: numpy in, plotly figures out. No Streamlit here.

The confusion matrix is a scatter of square markers, not a heatmap: Streamlit's selection events
(`on_select`) work for scatter points and return nothing for heatmap cells (streamlit#8760)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

CELL_PX = 34


def confusion(cm: np.ndarray, normalised: bool, xlabel: str, ylabel: str, selected: tuple[int, int] | None = None
              ) -> go.Figure:
    """Rows: true digit (0 on top); columns: predicted digit. Every cell is a clickable point."""
    k = len(cm)
    totals = cm.sum(1, keepdims=True)
    shares = np.divide(cm, totals, out=np.zeros(cm.shape), where=totals > 0)
    true, pred = np.divmod(np.arange(k * k), k)
    value = shares.ravel() if normalised else cm.ravel().astype(float)
    off = true != pred
    # the diagonal dwarfs every mistake: colour mistakes on their own scale so a 1% confusion shows
    colour = np.where(off, value / max(value[off].max(), 1e-9), 0.0)
    text = [(f"{v:.0%}" if v >= 0.005 else "") if normalised else (str(int(v)) if v else "") for v in value]
    colours = [f"rgba(220,38,38,{0.08 + 0.85 * c:.3f})" if o else "rgba(37,99,235,0.18)" for c, o in zip(colour, off)]
    fig = go.Figure(go.Scatter(
        x=pred, y=true, mode="markers+text", text=text, textfont=dict(size=11),
        customdata=np.stack([true, pred, cm.ravel()], 1),
        marker=dict(symbol="square", size=CELL_PX, line=dict(width=0), color=colours),
        hovertemplate="true %{customdata[0]} → %{customdata[1]}: %{customdata[2]}<extra></extra>"))
    if selected is not None:
        fig.add_trace(go.Scatter(x=[selected[1]], y=[selected[0]], mode="markers", hoverinfo="skip",
                                 marker=dict(symbol="square-open", size=CELL_PX + 2, color="#0f172a",
                                             line=dict(width=3))))
    axis = dict(tickmode="array", tickvals=list(range(k)), range=[-0.6, k - 0.4], showgrid=False, zeroline=False,
                tickfont=dict(size=15), fixedrange=True)
    fig.update_layout(height=CELL_PX * k + 90, width=CELL_PX * k + 110, margin=dict(l=60, r=10, t=10, b=50),
                      showlegend=False, plot_bgcolor="rgba(0,0,0,0)", clickmode="event+select", dragmode=False,
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
    fig.update_layout(barmode="overlay", height=280, margin=dict(l=10, r=10, t=30, b=10),
                      legend=dict(orientation="h", y=1.15), plot_bgcolor="rgba(0,0,0,0)",
                      xaxis=dict(title=xlabel, tickformat=".0%", range=[0, 1.0]), yaxis=dict(ticksuffix="%"))
    return fig
