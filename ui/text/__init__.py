"""Every visible word, in English and Chinese: one table per page or section, merged by ui/i18n.py."""
