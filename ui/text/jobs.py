"""Strings every job's view shares (ui/job_events.py), in English and Chinese, merged into ui.i18n.TEXT."""

JOB_TEXT: dict[str, tuple[str, str]] = {
    "job_unknown_time": ("—", "—"),
    "job_s": ("{s} s", "{s} 秒"),
    "job_min_s": ("{m} min {s:02d} s", "{m} 分 {s:02d} 秒"),
    "job_h_min": ("{h} h {m:02d} min", "{h} 小时 {m:02d} 分"),
    "job_d_h": ("{d} days {h} h", "{d} 天 {h} 小时"),
}
