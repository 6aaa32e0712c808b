"""What MNIST looks like as numbers (seeds 000 and 003): each digit's mean image and the spread of pixel
intensities. Cached once per server: both read all 60,000 training images."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st


@st.cache_data(show_spinner=False)
def digit_means(_x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """(10, 28, 28) float in [0, 1]: the average training image of each digit."""
    return np.stack([_x[y == d].mean(0) / 255 for d in range(10)])


@st.cache_data(show_spinner=False)
def intensity_counts(_x: np.ndarray, n: int) -> np.ndarray:
    """(256,) how many pixels of the training images have each value 0–255 (`n` keys the cache)."""
    return np.bincount(_x.ravel(), minlength=256)


def intensity_hist(counts: np.ndarray, xlabel: str, ylabel: str, log: bool) -> go.Figure:
    share = counts / counts.sum()
    fig = go.Figure(go.Bar(x=np.arange(256), y=share, marker_color="#334155",
                           hovertemplate="%{x}: %{y:.3%}<extra></extra>"))
    fig.update_layout(height=260, margin=dict(l=10, r=10, t=10, b=10), bargap=0, plot_bgcolor="rgba(0,0,0,0)",
                      font=dict(size=15),
                      xaxis=dict(title=xlabel, range=[-2, 257]),
                      yaxis=dict(title=ylabel, type="log" if log else "linear", tickformat=".1%" if not log else None))
    return fig


def counts_bar(counts: np.ndarray) -> go.Figure:
    """How many drawings of each digit, one bar per digit."""
    fig = go.Figure(go.Bar(x=list(range(10)), y=list(counts), marker_color="#0ea5e9", text=list(counts),
                           textposition="outside"))
    fig.update_layout(height=220, margin=dict(l=10, r=10, t=24, b=10), plot_bgcolor="rgba(0,0,0,0)", font=dict(size=15),
                      xaxis=dict(tickmode="array", tickvals=list(range(10)), tickfont=dict(size=16)),
                      yaxis=dict(rangemode="tozero", dtick=max(1, int(counts.max()) // 4) if counts.max() else 1))
    return fig
