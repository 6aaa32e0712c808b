"""The Evaluate page's sections, drawn with Streamlit: each takes scores and shows them. The page calls
these in order; the numbers come from model/metrics.py and the data from ui/evaluate/evaluation.py."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from model import metrics
from ui import figures, models
from ui.evaluate import evaluation
from ui.evaluate import figures as eval_figures
from ui.i18n import t
from ui.safe_text import plain

CSV_MB = 100          # Kaggle's train.csv is 76 MB; photos elsewhere keep the server's 20 MB limit
TILES, PER_ROW = 24, 8
COMPARE_TILES = 12
CM_KEY = "eval_cm"


def short(entry) -> str:
    """A model's name for sentences: runs also name their folder, since run names may repeat."""
    return plain(entry.name if entry.source == "shipped" else f"{entry.name} ({entry.path.name})")


def default_index(entries, name: str) -> int:
    return next((i for i, e in enumerate(entries) if e.source == "shipped" and e.name == name), 0)


def dataset(kind: str) -> evaluation.DataSet | None:
    """The chosen data set, or None (with a hint) while it is not there yet. Raises CSVError, CollectionError."""
    if kind == "test":
        return evaluation.mnist_test()
    if kind == "val":
        st.caption(t("eval_val_note"))
        return evaluation.validation()
    if kind == "drawings":
        ds = evaluation.class_drawings()
        if not len(ds.labels):
            st.info(t("eval_no_drawings"))
            return None
        return ds
    up = st.file_uploader(t("eval_train_upload"), type=["csv"], max_upload_size=CSV_MB, key="eval_kaggle_train")
    if up is None:
        st.info(t("eval_train_hint"))
        return None
    return evaluation.kaggle_train(up.getvalue())


def scoreboard(chosen, probs: dict, ds: evaluation.DataSet) -> None:
    for entry, col in zip(chosen, st.columns(len(chosen))):
        acc = metrics.accuracy(ds.labels, probs[entry].argmax(1))
        with col, st.container(key=f"eval_score_{chosen.index(entry)}", border=True):
            st.metric(models.option(entry), f"{acc:.2%}",
                      help=t("eval_acc_help", n=len(ds.labels), wrong=int(round((1 - acc) * len(ds.labels)))))
            if rep := evaluation.reported(entry):
                st.caption(t("eval_reported", rep=rep))
            if entry.test_acc is not None:
                st.caption(t("eval_recorded", acc=entry.test_acc))
            seen = evaluation.trained_on(entry, ds)
            if seen is not None and seen.any():
                unseen = ~seen
                if unseen.any():
                    acc_new = metrics.accuracy(ds.labels[unseen], probs[entry].argmax(1)[unseen])
                    st.warning(t("eval_seen_some", seen=int(seen.sum()), n=len(seen), unseen=int(unseen.sum()),
                                 acc=acc_new), icon=":material/visibility:")
                else:
                    st.warning(t("eval_seen_all", n=len(seen)), icon=":material/visibility:")


def _apply_click() -> None:
    """A click on a confusion-matrix cell sets the gallery's filters (once per new click)."""
    event = st.session_state.get(CM_KEY)
    points = (event or {}).get("selection", {}).get("points", []) if event else []
    if not points:
        st.session_state.pop("eval_cm_applied", None)
        return
    cell = (int(points[0]["y"]), int(points[0]["x"]))  # (true, predicted)
    if st.session_state.get("eval_cm_applied") != cell:
        st.session_state["eval_cm_applied"] = cell
        st.session_state["eval_true"], st.session_state["eval_pred"] = cell


def confusion_section(cm: np.ndarray) -> None:
    _apply_click()
    normalised = st.toggle(t("eval_normalise"), key="eval_norm", help=t("eval_normalise_help"))
    true, pred = st.session_state.get("eval_true"), st.session_state.get("eval_pred")
    selected = (true, pred) if true is not None and pred is not None else None
    fig = eval_figures.confusion(cm, normalised, t("eval_predicted"), t("eval_true"), selected)
    st.plotly_chart(fig, on_select="rerun", selection_mode="points", key=CM_KEY, width="content",
                    config={"displayModeBar": False})
    st.caption(t("eval_cm_hint"))


def per_class_table(cm: np.ndarray) -> None:
    pc = metrics.per_class(cm)
    pct = lambda a: ["–" if np.isnan(v) else f"{v:.1%}" for v in a]  # noqa: E731
    df = pd.DataFrame({t("digit"): [str(d) for d in range(10)], t("eval_precision"): pct(pc.precision),
                       t("eval_recall"): pct(pc.recall), "F1": pct(pc.f1),
                       t("eval_support"): [f"{n:,}" for n in pc.support]})
    st.table(df, border="horizontal", hide_index=True)
    st.caption(t("eval_prf_help"))


def confidence_section(p: np.ndarray, labels: np.ndarray) -> None:
    right, wrong = metrics.confidence_split(p, labels)
    st.markdown(f"**{t('eval_conf_title')}**")
    st.plotly_chart(eval_figures.confidence_hist(right, wrong, (t("eval_right"), t("eval_wrong")), t("eval_conf_x")),
                    config={"displayModeBar": False}, key="eval_conf")
    if len(wrong):
        st.caption(t("eval_conf_caption", p=float(np.median(wrong)), share=float(np.mean(wrong > 0.9))))


def reliability_section(p: np.ndarray, labels: np.ndarray) -> None:
    """How sure against how often right: a lesson in what a confidence means."""
    rel = metrics.reliability(p, labels)
    st.markdown(f"**{t('eval_rel_title')}**")
    fig = eval_figures.reliability(rel, t("eval_rel_x"), t("eval_rel_y"), (t("eval_rel_bars"), t("eval_rel_diag")))
    st.plotly_chart(fig, config={"displayModeBar": False}, key="eval_reliability")
    st.caption(t("eval_rel_caption", ece=rel.ece))


def _tiles(ds, p: np.ndarray, idx: np.ndarray, per_row: int, key: str, caption=None) -> None:
    for row in range(0, len(idx), per_row):
        for i, col in zip(idx[row:row + per_row], st.columns(per_row)):
            label, guess = int(ds.labels[i]), int(p[i].argmax())
            text = caption(i) if caption else t("explore_tile", n=i + 1, label=label, pred=guess, p=float(p[i].max()))
            with col, st.container(key=f"{key}_{i}"):
                st.image(figures.prediction_tile(ds.images[i] / 255, p[i], label), caption=text, width="stretch")


def gallery(ds, p: np.ndarray, pred: np.ndarray) -> None:
    digits = [None, *range(10)]
    any_digit = lambda d: t("eval_any") if d is None else str(d)  # noqa: E731
    a, b, c = st.columns([1, 1, 2], vertical_alignment="bottom")
    true = a.selectbox(t("eval_true"), digits, format_func=any_digit, key="eval_true")
    guess = b.selectbox(t("eval_predicted"), digits, format_func=any_digit, key="eval_pred")
    if c.button(t("eval_all_mistakes"), key="eval_clear_filter", icon=":material/filter_alt_off:"):
        for k in ("eval_true", "eval_pred"):
            st.session_state.pop(k, None)
        st.rerun()
    idx = metrics.mistakes(ds.labels, pred, true, guess)
    idx = idx[np.argsort(-p[idx].max(1), kind="stable")]  # the surest mistakes first: the most telling
    with st.container(key="eval_gallery"):
        st.caption(t("eval_gallery_count", n=len(idx), shown=min(len(idx), TILES)))
        _tiles(ds, p, idx[:TILES], PER_ROW, "eval_tile")


def comparison(a, b, probs: dict, ds) -> None:
    pa, pb = probs[a], probs[b]
    o = metrics.overlap(ds.labels, pa.argmax(1), pb.argmax(1))
    groups = [(t("eval_only_wrong", name=short(a)), o.only_a, pa),
              (t("eval_only_wrong", name=short(b)), o.only_b, pb),
              (t("eval_both_wrong"), o.both, pa)]
    st.caption(t("eval_compare_hint", n=len(ds.labels)))
    for (title, idx, _), col, k in zip(groups, st.columns(3), ("a", "b", "both")):
        with col, st.container(key=f"eval_overlap_{k}", border=True):
            st.metric(title, f"{len(idx):,}")

    def both_say(i):
        return t("eval_both_say", n=i + 1, label=int(ds.labels[i]), a=int(pa[i].argmax()), b=int(pb[i].argmax()))
    for (_, idx, p), tab, k in zip(groups, st.tabs([g[0] for g in groups]), ("a", "b", "both")):
        with tab:
            _tiles(ds, p, idx[:COMPARE_TILES], COMPARE_TILES // 2, f"eval_cmp_{k}", both_say)
