"""The app's one stylesheet: the answer's big digit and bars, a phone's layout, and the projector switch.

Every page calls `page()` (through `widgets.style`). On a phone (≤ 640 px wide: Streamlit stacks columns
there) the Draw page keeps both answers on screen under the canvas after a stroke, without scrolling
(issue 15): the pickers share a row, the two answers share a row, and "what the model sees" goes
below them. The projector switch (sidebar) makes all type larger, read from the back of a room.
"""

from __future__ import annotations

import streamlit as st

from ui.i18n import t

# A keyed container's own columns only (not columns nested further in): keyed container > wrapper > row > column.
_ROW = "> [data-testid=stLayoutWrapper] > [data-testid=stHorizontalBlock]"

CSS = f"""
<style>
.block-container {{padding-left: 2rem; padding-right: 2rem; padding-top: 2.5rem; max-width: 1500px;}}
.dl-name {{font-weight: 600; margin-bottom: .3rem;}}  /* a model's name over its answer, as **bold** was */
.dl-digit {{font-size: 5.5rem; font-weight: 800; line-height: 1; margin: .1rem 0 .2rem 0;}}
.dl-sure {{font-size: 1rem; color: #475569; margin-bottom: .5rem;}}
.dl-unsure {{font-size: 1.1rem; font-weight: 600; color: #b45309;}}
.dl-not-digit {{font-size: 1.5rem; font-weight: 700; line-height: 1.25; color: #b45309; margin: .3rem 0 .3rem 0;}}
.st-key-verdict {{padding: .4rem .8rem; border-radius: .5rem; background: #f1f5f9; width: fit-content;}}
.st-key-verdict p {{font-size: 1.6rem; font-weight: 700; line-height: 1.3; margin: 0; color: #0f172a;}}
.st-key-verdict [data-testid="stMarkdownContainer"] {{margin-bottom: 0;}}
.dl-bars {{display: flex; align-items: flex-end; gap: 4px; height: 190px; padding-top: 1.3rem;
          border-bottom: 1px solid #cbd5e1;
          background: linear-gradient(#e2e8f0, #e2e8f0) 0 1.3rem / 100% 1px no-repeat;}}  /* the 100% line */
.dl-bar {{flex: 1; min-width: 0; height: 100%; display: flex; flex-direction: column; justify-content: flex-end;
          position: relative;}}  /* min-width 0: ten even columns, even where a "100%" is wider than one */
.dl-fill {{width: 100%; min-height: 1px; border-radius: 2px 2px 0 0;}}
.dl-pct {{font-size: .75rem; color: #475569; text-align: center; white-space: nowrap;
          margin: 0 -.75rem;}}  /* wider than its bar, centred over it */
.dl-tick {{position: absolute; bottom: -1.6rem; width: 100%; text-align: center; font-size: 1.1rem; color: #334155;}}
.dl-axis {{text-align: center; font-size: .9rem; color: #475569; margin-top: 1.7rem;}}
.dl-sees {{position: relative; max-width: 100%; aspect-ratio: 1; margin-bottom: .5rem;}}
.dl-sees img {{display: block; width: 100%; height: 100%; object-fit: fill !important; image-rendering: pixelated;}}
.dl-sees::after {{content: ""; position: absolute; inset: 0; pointer-events: none;  /* a line round every pixel */
  background-image: linear-gradient(to right, #cbd5e1 1px, transparent 1px),
                    linear-gradient(to bottom, #cbd5e1 1px, transparent 1px);
  background-size: calc(100% / 28) calc(100% / 28);}}
[class*="st-key-coll_pick"] [role=radiogroup] {{display: grid; grid-template-columns: repeat(5, minmax(0, 1fr));
  gap: .4rem; max-width: 22rem;}}  /* "Wrong? It was a …": two rows of five, on a phone as on a projector */
[class*="st-key-coll_pick"] [role=radiogroup] button {{width: 100%; min-height: 2.4rem; justify-content: center;}}
[class*="st-key-coll_pick"] [role=radiogroup] button p {{font-size: 1.15rem;}}
.dl-number {{font-size: 4rem; font-weight: 800; letter-spacing: .3rem; line-height: 1.1;}}
.st-key-draw_number {{max-width: 760px;}}  /* 560 × 240: a wide screen would make it taller than the room sees */

@media (max-width: 640px) {{  /* a phone */
  .block-container {{padding: 3.6rem 1rem 6rem 1rem;}}  /* the 60 px header stays clear */
  h1 {{font-size: 1.6rem !important; padding: 0 0 .25rem 0 !important;}}
  [data-testid=stMainBlockContainer] [data-testid=stVerticalBlock] {{gap: .6rem;}}
  .st-key-draw_pickers {_ROW}, .st-key-draw_row {_ROW} {{flex-wrap: wrap; gap: .5rem .75rem;}}
  .st-key-draw_pickers {_ROW} > [data-testid=stColumn] {{min-width: 0; flex: 1 1 0;}}
  .st-key-draw_row {_ROW} > [data-testid=stColumn]:nth-child(n+3) {{min-width: 0; flex: 1 1 40%;}}  /* answers */
  .st-key-draw_row {_ROW} > [data-testid=stColumn]:nth-child(2) {{order: 9;}}  /* what it sees: after them */
  [class*="_grid"] {_ROW} {{gap: .4rem;}}  /* a container keyed `…_grid`: a grid of images wraps, not stacks */
  [class*="_grid"] {_ROW} > [data-testid=stColumn] {{min-width: 50px; flex: 1 1 50px;}}
  [class*="_tiles_grid"] {_ROW} > [data-testid=stColumn] {{min-width: 30%; flex: 1 1 30%;}}
  .st-key-draw_canvas {{max-width: 300px;}}  /* room left for both answers under it */
  .st-key-draw_brush {{max-width: 300px;}}
  .st-key-draw_row [class*=st-key-prediction-] {{gap: 0;}}
  .dl-digit {{font-size: 3.4rem;}}
  .dl-not-digit {{font-size: 1.1rem;}}
  .dl-sure {{margin-bottom: 0;}}
  .dl-pct {{font-size: .55rem;}}
  .dl-bars {{height: 140px;}}
}}
</style>
"""

PROJECTOR_CSS = """
<style>  /* read from the back of a room: every rem grows, and with it Streamlit's own type */
html {font-size: 19px;}  /* 1.2 × Streamlit's 16: the Draw page still fits 1280 × 720 */
.block-container {max-width: none; padding-left: 1.2rem; padding-right: 1.2rem;}
[data-testid=stCaptionContainer], [data-testid=stCaptionContainer] p {font-size: .95rem; color: #334155;}
</style>
"""


def page() -> None:
    st.markdown(CSS, unsafe_allow_html=True)


def projector_switch() -> None:
    """The sidebar's "Projector" toggle, kept in the URL like the language (a reload keeps it)."""
    if "projector" not in st.session_state:
        st.session_state["projector"] = st.query_params.get("projector") == "1"

    def remember() -> None:
        if st.session_state["projector"]:
            st.query_params["projector"] = "1"
        else:
            st.query_params.pop("projector", None)

    st.toggle(t("projector"), key="projector", help=t("projector_help"), on_change=remember)
    if st.session_state["projector"]:
        st.markdown(PROJECTOR_CSS, unsafe_allow_html=True)
