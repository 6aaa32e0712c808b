"""Evaluate page: where each model fails. Accuracy beside the article's figure, the confusion matrix,
per-class scores, confidence of right and wrong answers, how sure against how often right (a reliability
diagram), the mistakes, two models compared on every image, and the Kaggle workflow (test.csv in,
submission.csv out)."""

from __future__ import annotations

import streamlit as st

from classroom.drawings import CollectionError
from model import metrics
from model.kaggle import CSVError, submission_csv
from ui import models, widgets
from ui.evaluate import evaluation, heavy, view
from ui.i18n import t
from ui.safe_text import md

widgets.style()
st.title(t("eval_title"))
st.caption(t("eval_intro"))
entries = models.entries()
if not entries:
    st.error(t("no_models", err="model/pretrained/ is empty"))
    st.stop()

a_col, b_col = st.columns(2)
model_a = a_col.selectbox(t("eval_model_a"), entries, index=view.default_index(entries, "cnn"),
                          format_func=models.option, key="eval_model_a")
model_b = b_col.selectbox(t("eval_model_b"), [None, *entries], index=1 + view.default_index(entries, "mlp"),
                          format_func=lambda e: t("eval_none") if e is None else models.option(e), key="eval_model_b")
kind = st.segmented_control(t("eval_data"), evaluation.DATASETS, format_func=lambda k: t(f"eval_data_{k}"),
                            default="test", key="eval_data") or "test"

try:
    ds = view.dataset(kind)
except CSVError as e:
    st.error(evaluation.csv_message(e))
    st.stop()
except CollectionError as e:
    st.error(t("coll_damaged", why=e.details.get("why", str(e))))
    st.stop()
except heavy.WorkerError:
    st.error(t("eval_worker_failed"))
    st.stop()
if ds is None:
    st.stop()
if len(ds.labels) == 0:
    st.info(t("eval_no_images"))
    st.stop()

chosen = [m for m in (model_a, model_b) if m is not None]
try:
    with st.spinner(t("eval_scoring", n=len(ds.labels))):
        probs = {m: evaluation.probs(m, ds) for m in chosen}
except heavy.WorkerError:
    st.error(t("eval_worker_failed"))
    st.stop()
view.scoreboard(chosen, probs, ds)

focus = model_a
if model_b is not None and model_b != model_a:
    slot = st.segmented_control(t("eval_focus"), [0, 1], format_func=lambda i: models.option(chosen[i]), default=0,
                                key="eval_focus")
    focus = chosen[slot or 0]
p = probs[focus]
pred = p.argmax(1)
cm = metrics.confusion(ds.labels, pred)

st.subheader(t("eval_cm_title"))
left, right = st.columns([1.1, 1])
with left:
    view.confusion_section(cm)
    view.reliability_section(p, ds.labels)
with right:
    view.per_class_table(cm)
    view.confidence_section(p, ds.labels)

st.subheader(t("eval_gallery_title"))
view.gallery(ds, p, pred)

if model_b is not None and model_b != model_a:
    st.subheader(t("eval_compare_title"))
    view.comparison(model_a, model_b, probs, ds)

st.subheader(t("eval_kaggle_title"))
st.caption(t("eval_kaggle_hint"))
up = st.file_uploader(t("eval_kaggle_upload"), type=["csv"], max_upload_size=view.CSV_MB, key="eval_kaggle_test")
if up is not None:
    sub_model = st.selectbox(t("eval_kaggle_model"), entries, index=entries.index(model_a), format_func=models.option,
                             key="eval_kaggle_model")
    try:
        with st.spinner(t("eval_kaggle_reading")):
            labels = evaluation.submission_labels(sub_model, up.getvalue())
    except CSVError as e:
        st.error(evaluation.csv_message(e))
    except heavy.WorkerError:
        st.error(t("eval_worker_failed"))
    else:
        st.success(t("eval_kaggle_done", n=len(labels), name=md(sub_model.name)))
        st.download_button(t("eval_kaggle_download"), submission_csv(labels), file_name="submission.csv",
                           mime="text/csv", icon=":material/download:", key="eval_kaggle_download")
