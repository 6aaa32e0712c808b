"""Type checks for the frozen configs that are read from JSON (model.json, config.json).

A file can say `"epochs": "5"` or `"hidden": null`; a dataclass accepts anything. `check_fields` holds each
field to its annotation (an int is an int, not a bool, a float or a string; a float is finite), so a bad
file gets one sentence naming the field, not a TypeError deep inside training.
"""

from __future__ import annotations

import math
import types
import typing
from dataclasses import fields, is_dataclass

_NAMES = {bool: "true or false", int: "a whole number", float: "a finite number", str: "a string"}


def _fits(value, hint) -> bool:
    if hint is bool:
        return isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if hint is str:
        return isinstance(value, str)
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is tuple:  # tuple[X, ...]
        return isinstance(value, tuple) and all(_fits(v, args[0]) for v in value)
    if origin in (types.UnionType, typing.Union):
        return any(_fits(value, a) for a in args)
    if hint is type(None):
        return value is None
    return isinstance(value, hint)


def _describe(hint) -> str:
    if typing.get_origin(hint) is tuple:
        return f"a list of {_describe(typing.get_args(hint)[0]).removeprefix('a ')}s"
    if typing.get_origin(hint) in (types.UnionType, typing.Union):
        return " or ".join(_describe(a) for a in typing.get_args(hint))
    return _NAMES.get(hint, getattr(hint, "__name__", str(hint)))


def check_fields(obj, what: str = "") -> None:
    """Raise ValueError naming the first field of dataclass `obj` whose value does not fit its type."""
    assert is_dataclass(obj)
    hints = typing.get_type_hints(type(obj))
    for f in fields(obj):
        value = getattr(obj, f.name)
        if not _fits(value, hints[f.name]):
            raise ValueError(f"{what}{f.name} must be {_describe(hints[f.name])}, got {value!r}")
