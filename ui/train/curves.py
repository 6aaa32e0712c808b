"""Training curves: pure functions from a run's events (metrics.jsonl) to plotly figures. No Streamlit.

The x axis is always in epochs: step events are placed at seen / n_train, so the curves move within an
epoch (the engine sends at least 20 an epoch), and epoch events (validation, test) land on whole numbers.
A run of one epoch is drawn by its within-epoch line in the comparison too, not as a single dot. Labels
come in as a dict so the caller can translate them.
"""

from __future__ import annotations

import html

import plotly.graph_objects as go

LABELS = {"epoch": "epoch", "accuracy": "accuracy", "loss": "loss", "lr": "learning rate", "train": "train",
          "val": "validation", "test": "test", "reported": "reported"}
TEST_COLOR = "#111827"    # test points are the figure that matters: dark, on top of the model's colour
GRID = "rgba(148,163,184,0.3)"
FONT = dict(size=15, color="#1e293b")  # read from the back of a room: plotly's 12 px grey is not
TICKS = dict(size=14, color="#334155")  # set on the axes themselves: Streamlit's theme sets its own there
SHADES = {"mlp": ["#2563eb", "#60a5fa", "#1e3a8a", "#93c5fd"], "cnn": ["#ea580c", "#fb923c", "#9a3412", "#fdba74"]}
DASHES = ["solid", "dash", "dot", "dashdot"]


def series(events: list[dict]) -> dict:
    """Columns of a run: step x/acc/loss/lr and epoch x/train_acc/val_acc/test_acc/val_loss/test_loss."""
    start = next((e for e in events if e.get("kind") == "start"), {})
    n = start.get("n_train") or 1
    steps = [e for e in events if e.get("kind") == "step"]
    epochs, epoch_x, x = [], [], 0.0
    for e in events:  # an epoch's scores sit where its last step was: 0.6 for an epoch stopped early
        if e.get("kind") == "step":
            x = e["seen"] / n
        elif e.get("kind") == "epoch":
            epochs.append(e)
            epoch_x.append(x or e["epoch"])
    out = {"step_x": [e["seen"] / n for e in steps], "epoch_x": epoch_x}
    for k in ("acc", "loss", "lr"):
        out[k] = [e.get(k) for e in steps]
    for k in ("train_acc", "val_acc", "test_acc", "val_loss", "test_loss"):
        out[k] = [e.get(k) for e in epochs]
    return out


def _layout(fig: go.Figure, title: str, ytitle: str, xtitle: str, height: int, **yaxis) -> go.Figure:
    # the legend sits at the figure's foot (container coordinates), where plotly makes room for it under the
    # axis title; placed under the plot area instead (y=-0.25) it covered the title on a short chart
    fig.update_layout(title=dict(text=title, x=0, font=dict(size=18)), height=height, font=FONT,
                      margin=dict(l=10, r=10, t=40, b=6),
                      legend=dict(orientation="h", yref="container", y=0, yanchor="bottom", x=0, font=dict(size=14)),
                      plot_bgcolor="rgba(0,0,0,0)", paper_bgcolor="rgba(0,0,0,0)", hovermode="x unified")
    # automargin: room for the ticks and the title, whatever template (Streamlit's or plotly's) is applied
    fig.update_xaxes(title=xtitle, gridcolor=GRID, rangemode="tozero", automargin=True, tickfont=TICKS)
    fig.update_yaxes(title=ytitle, gridcolor=GRID, automargin=True, tickfont=TICKS, **yaxis)
    return fig


def _epoch_trace(x, y, name, color, dash="solid", size=8) -> go.Scatter:
    pts = [(a, b) for a, b in zip(x, y) if b is not None]  # test may be scored on some epochs only
    return go.Scatter(x=[a for a, _ in pts], y=[b for _, b in pts], name=name, mode="lines+markers",
                      line=dict(color=color, dash=dash, width=2.5), marker=dict(size=size))


def _metric_figure(s: dict, L: dict, color: str, metric: str) -> go.Figure:
    """Train `metric` as it runs (thin, the model's colour), validation and test per epoch (markers)."""
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=s["step_x"], y=s[metric], name=L["train"], mode="lines",
                             line=dict(color=color, width=1.5), opacity=0.6))
    if any(v is not None for v in s[f"val_{metric}"]):
        fig.add_trace(_epoch_trace(s["epoch_x"], s[f"val_{metric}"], L["val"], color, dash="dash"))
    fig.add_trace(_epoch_trace(s["epoch_x"], s[f"test_{metric}"], L["test"], TEST_COLOR))
    fig.update_layout(showlegend=True)  # say which line is which even before the first test point
    return fig


def accuracy_figure(events: list[dict], color: str, reported: float | None = None, labels: dict | None = None,
                    height: int = 280) -> go.Figure:
    L, s = {**LABELS, **(labels or {})}, series(events)
    fig = _metric_figure(s, L, color, "acc")
    if reported:
        fig.add_hline(y=reported, line=dict(color="#64748b", dash="dot", width=1.5),
                      annotation_text=f"{L['reported']} {reported:.2%}", annotation_position="bottom right")
    return _layout(fig, L["accuracy"], "", L["epoch"], height, tickformat=".0%")


def loss_figure(events: list[dict], color: str, labels: dict | None = None, height: int = 280) -> go.Figure:
    L, s = {**LABELS, **(labels or {})}, series(events)
    return _layout(_metric_figure(s, L, color, "loss"), L["loss"], "", L["epoch"], height, rangemode="tozero")


def lr_figure(events: list[dict], color: str, labels: dict | None = None, height: int = 280) -> go.Figure:
    L, s = {**LABELS, **(labels or {})}, series(events)
    fig = go.Figure(go.Scatter(x=s["step_x"], y=s["lr"], name=L["lr"], mode="lines", line=dict(color=color, width=2)))
    fig.update_layout(showlegend=False)
    fig = _layout(fig, L["lr"], "", L["epoch"], height, exponentformat="e", rangemode="tozero", nticks=4)
    return fig.update_xaxes(nticks=4)  # a narrow chart: few ticks, never rotated


def compare_figure(runs: list[tuple[str, str, list[dict]]], metric: str = "test_acc", labels: dict | None = None,
                   height: int = 340) -> go.Figure:
    """Several runs overlaid: `runs` is (name, kind, events). Each run keeps its family's colour (MLP blue,
    CNN orange) in its own shade and dash; train accuracy is drawn faint behind the per-epoch metric."""
    L = {**LABELS, **(labels or {})}
    fig = go.Figure()
    used: dict[str, int] = {}
    for name, kind, events in runs:
        name = html.escape(str(name))  # plotly reads <a>, <b>… in trace names: a run's name is plain text
        i = used.get(kind, 0)
        used[kind] = i + 1
        shades = SHADES.get(kind, ["#334155", "#94a3b8"])
        color, dash = shades[i % len(shades)], DASHES[i % len(DASHES)]
        s = series(events)
        within = s["acc"] if metric.endswith("acc") else s["loss"]  # the run's progress within its epochs
        if sum(v is not None for v in s[metric]) < 2 and within:
            # one epoch (or none scored yet): one dot says nothing, so its within-epoch line is the run's line
            fig.add_trace(go.Scatter(x=s["step_x"], y=within, name=name, mode="lines", legendgroup=name,
                                     line=dict(color=color, dash=dash, width=2)))
            fig.add_trace(_epoch_trace(s["epoch_x"], s[metric], name, color, dash=dash))
            fig.data[-1].update(showlegend=False, legendgroup=name)
            continue
        if metric.endswith("acc"):
            fig.add_trace(go.Scatter(x=s["step_x"], y=s["acc"], mode="lines", line=dict(color=color, width=1),
                                     opacity=0.3, showlegend=False, hoverinfo="skip", legendgroup=name))
        fig.add_trace(_epoch_trace(s["epoch_x"], s[metric], name, color, dash=dash))
        fig.data[-1].legendgroup = name
    acc = metric.endswith("acc")
    return _layout(fig, f"{L['accuracy'] if acc else L['loss']} ({L['test']})", "", L["epoch"], height,
                   **({"tickformat": ".1%"} if acc else {"rangemode": "tozero"}))
