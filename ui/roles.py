"""Who may do what: the teacher holds the controls, everyone else is a student.

The teacher key comes from `$DIGITLAB_TEACHER_KEY` (`./run.sh --lan` makes one). A browser session
becomes the teacher's when it opens the teacher link (`?teacher=KEY`) or types the key once. With no
key set and the server on this computer only, the one user is the teacher. Every action a student may
not take checks `allowed()` (or `is_teacher()`) where it happens, not only by hiding its button: a forged
widget event from a student's session changes nothing.

The teacher's screen is projected, so the key is never shown: the link's `?teacher=` leaves the address
bar as soon as it is read, and the sidebar's field is a password field that empties itself.
"""

from __future__ import annotations

import hmac
import io
import ipaddress
import os

import streamlit as st

from ui.i18n import lang, t

KEY_ENV = "DIGITLAB_TEACHER_KEY"
QUERY = "teacher"  # the teacher link's query parameter
_SESSION = "role_teacher"  # this module owns the key: True once this session showed the teacher key
_TYPED, _WRONG = "role_key_input", "role_wrong"


def teacher_key() -> str | None:
    key = os.environ.get(KEY_ENV, "").strip()
    return key or None


def _loopback(host: str) -> bool:
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:  # a name other than localhost, or empty (Streamlit then listens everywhere)
        return False


def announced() -> str | None:
    """The address students are told to use, if whoever started the server set one (Streamlit's own
    `browser.serverAddress`: a school hostname, a proxy, the right one of two network cards)."""
    from streamlit import config
    host = str(st.get_option("browser.serverAddress") or "")
    return host if config.is_manually_set("browser.serverAddress") and not _loopback(host) else None


def local_only() -> bool:
    """Is the server reachable from this computer only (no `--lan`, no announced address)?"""
    return _loopback(str(st.get_option("server.address") or "")) and announced() is None


def check_key(candidate: str | None) -> bool:
    """Does `candidate` match the teacher key? Constant-time, so its timing tells a guesser nothing."""
    key = teacher_key()
    return bool(key and candidate) and hmac.compare_digest(str(candidate).encode(), key.encode())


def claim(candidate: str | None) -> bool:
    """Make this session the teacher's if `candidate` is the key; True if it is."""
    if check_key(candidate):
        st.session_state[_SESSION] = True
        return True
    return False


def is_teacher() -> bool:
    if teacher_key() is None:
        return local_only()
    return st.session_state.get(_SESSION) is True


def allowed() -> bool:
    """The guard in an action's handler: True for the teacher; for a student a sentence, and False.

    `if st.button(...) and roles.allowed():` — a student's forged click reaches the button, not the action."""
    if is_teacher():
        return True
    st.error(t("role_refused"), icon=":material/lock:")
    return False


def locked() -> bool:
    """For a control's `disabled=`: a student sees the button greyed out (the handler still checks)."""
    return not is_teacher()


def join_url() -> str:
    """The address students type (or scan): this computer's address on the network, in the page's language."""
    from streamlit import config
    port = st.get_option("browser.serverPort" if config.is_manually_set("browser.serverPort") else "server.port")
    if local_only():
        host = "localhost"
    elif not (host := announced()):
        from streamlit import net_util  # the address Streamlit prints as its Network URL (no packet is sent)
        host = net_util.get_internal_ip() or "localhost"
    return f"http://{host}:{port}/?lang={lang()}"


@st.cache_data(max_entries=4, show_spinner=False)
def qr_png(text: str, scale: int = 12) -> bytes:
    """A QR code of `text` as PNG bytes: black modules on white, a four-module quiet zone to scan from afar."""
    import segno
    buf = io.BytesIO()
    segno.make(text, error="m").save(buf, kind="png", scale=scale, border=4)
    return buf.getvalue()


def join_panel(qr_width: int, size_rem: float = 1.6, beside: bool = False) -> None:
    """How to join: the address in large type and its QR code (beside it, or under it), for the projector."""
    if local_only():
        st.info(t("join_local"), icon=":material/wifi_off:")
        return
    url = join_url()
    address = url.split("/?")[0].removeprefix("http://")  # digits, dots and a port: what a student types
    text, code = st.columns([1, 1.3], vertical_alignment="center") if beside else (st.container(), st.container())
    with text:
        st.markdown(t("join_scan"))
        st.markdown(f"<div style='font-size:{size_rem}rem;font-weight:800;line-height:1.2;overflow-wrap:anywhere'>"
                    f"{address}</div>", unsafe_allow_html=True)
    code.image(qr_png(url), width=qr_width)


@st.dialog(" ", width="large")
def join_dialog() -> None:
    st.header(t("join_title"))
    join_panel(qr_width=520, size_rem=3, beside=True)  # 520 px of a 720-px projector: scanned from the back


def _typed() -> None:
    """The sidebar field's callback: claim with what was typed, then empty the field (it may be projected)."""
    st.session_state[_WRONG] = not claim(st.session_state.get(_TYPED))
    st.session_state[_TYPED] = ""


def _leave() -> None:
    st.session_state.pop(_SESSION, None)


def sidebar() -> None:
    """app.py's sidebar section: read the teacher link, offer the key field, show who this session is."""
    if QUERY in st.query_params:
        st.session_state[_WRONG] = not claim(st.query_params.get(QUERY))
        del st.query_params[QUERY]  # out of the address bar at once: the teacher's screen is projected
    if teacher_key() is None and not local_only():
        st.warning(t("role_no_key"), icon=":material/lock:")
    elif is_teacher():
        st.caption(f":material/school: {t('role_teacher')}")
        if st.button(t("join_show"), key="role_join", icon=":material/qr_code_2:"):
            join_dialog()
        if teacher_key() is not None:
            st.button(t("role_leave"), key="role_leave", on_click=_leave, type="tertiary")
    else:
        st.caption(t("role_student"))
        with st.expander(t("role_claim")):
            st.text_input(t("role_key"), type="password", key=_TYPED, on_change=_typed, help=t("role_key_help"),
                          autocomplete="off")
    if st.session_state.get(_WRONG):
        st.error(t("role_bad_key"), icon=":material/key_off:")
