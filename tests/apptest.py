"""AppTest helper shared by the page tests: the whole app (sidebar, navigation) opened on one page."""

from streamlit.testing.v1 import AppTest

from model.paths import REPO


def open_page(page: str, lang: str = "en", timeout_s: float = 180) -> AppTest:
    """Run app.py in `lang`, switch to `page` (e.g. "app_pages/sweep.py"), and check nothing raised. The
    timeout leaves room for the Train page's first speed measurement of a model on a busy machine."""
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=timeout_s)
    at.session_state["lang"] = lang
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at
