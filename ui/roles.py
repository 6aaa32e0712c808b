"""Who may do what: the teacher holds the controls, everyone else is a student.

The teacher key comes from `$DIGITLAB_TEACHER_KEY` (`./run.sh --lan` makes one). A browser session
becomes the teacher's when it opens the teacher link (`?teacher=KEY`) or types the key once. With no
key set and the server on this computer only, the one user is the teacher. Every action a student may
not take checks `is_teacher()` where it happens, not only by hiding its button: a forged widget event
from a student's session changes nothing.
"""

from __future__ import annotations

import hmac
import os

import streamlit as st

KEY_ENV = "DIGITLAB_TEACHER_KEY"
_SESSION = "role_teacher"  # this module owns the key: True once this session showed the teacher key
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def teacher_key() -> str | None:
    key = os.environ.get(KEY_ENV, "").strip()
    return key or None


def local_only() -> bool:
    """Is the server reachable from this computer only (no `--lan`)?"""
    return str(st.get_option("server.address") or "") in LOOPBACK


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
