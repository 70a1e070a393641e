"""Frozen dataclasses to JSON and back, exactly, guided by their type hints.

Used to store worked-out figures (``portal.outcomes.stored``). Handles what the figures are
made of: dataclasses, enums, ``Decimal`` (as text, so ``Decimal("1.50")`` comes back with its
two places), dates and timezone-aware datetimes, ``None``-able values, lists, tuples, sets and
mappings (stored as pairs, so keys need not be text). Anything else is refused with
``TypeError`` rather than guessed, and a value that does not fit its type on the way back
raises ``ValueError``: a stored entry that cannot be read is worked out again, never trusted.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import functools
import types
import typing
from collections import abc
from decimal import Decimal
from typing import Any, TypeVar

T = TypeVar("T")

JSONValue = None | bool | int | float | str | list[Any] | dict[str, Any]


def to_json(value: object) -> JSONValue:
    """``value`` as plain JSON data."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: to_json(getattr(value, field.name)) for field in _fields(value)}
    if isinstance(value, enum.Enum):
        return to_json(value.value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise TypeError("Refusing a naive datetime")
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [to_json(item) for item in value]
    if isinstance(value, (set, frozenset)):
        return sorted((to_json(item) for item in value), key=repr)
    if isinstance(value, abc.Mapping):
        return [[to_json(key), to_json(item)] for key, item in value.items()]
    raise TypeError(f"Cannot store a {type(value).__name__}")


def from_json(kind: type[T], data: JSONValue) -> T:
    """The value of type ``kind`` that ``to_json`` turned into ``data``."""
    return typing.cast(T, _read(kind, data))


@functools.cache
def _dataclass_fields(kind: type) -> tuple[tuple[str, Any], ...]:
    """Each field a dataclass's ``__init__`` takes, with its resolved type (worked out once
    per class: resolving the hints is most of the cost of reading a stored entry)."""
    hints = typing.get_type_hints(kind)
    return tuple((field.name, hints[field.name]) for field in _fields(kind))


def _fields(value: object) -> tuple[dataclasses.Field[Any], ...]:
    return tuple(field for field in dataclasses.fields(value) if field.init)  # type: ignore[arg-type]


def _read(kind: Any, data: Any) -> Any:
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if kind is Any:
        return data
    if origin in (typing.Union, types.UnionType):
        if data is None and type(None) in args:
            return None
        choices = [arg for arg in args if arg is not type(None)]
        if len(choices) != 1:
            raise TypeError(f"Only X | None unions can be read back, not {kind!r}")
        return _read(choices[0], data)
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        if not isinstance(data, dict):
            raise ValueError(f"Expected an object for {kind.__name__}")
        return kind(**{name: _read(hint, data[name]) for name, hint in _dataclass_fields(kind)})
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return kind(data)
    if kind is Decimal:
        return Decimal(_expect(str, data))
    if kind is dt.datetime:
        moment = dt.datetime.fromisoformat(_expect(str, data))
        if moment.tzinfo is None:
            raise ValueError("A stored datetime lost its time zone")
        return moment
    if kind is dt.date:
        return dt.date.fromisoformat(_expect(str, data))
    if kind is float:
        if isinstance(data, bool) or not isinstance(data, (int, float)):
            raise ValueError("Expected a number")
        return float(data)
    if kind in (bool, int, str):
        if type(data) is not kind:
            raise ValueError(f"Expected {kind.__name__}, found {type(data).__name__}")
        return data
    if origin in (list, abc.Sequence):
        return [_read(args[0], item) for item in _expect(list, data)]
    if origin is tuple:
        items = _expect(list, data)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_read(args[0], item) for item in items)
        if len(items) != len(args):
            raise ValueError("A stored tuple has the wrong length")
        return tuple(_read(arg, item) for arg, item in zip(args, items, strict=True))
    if origin in (set, frozenset, abc.Set):
        made = frozenset if origin is not set else set
        return made(_read(args[0], item) for item in _expect(list, data))
    if origin in (dict, abc.Mapping):
        found = {}
        for pair in _expect(list, data):
            if len(_expect(list, pair)) != 2:
                raise ValueError("A stored mapping entry is not a pair")
            found[_read(args[0], pair[0])] = _read(args[1], pair[1])
        return found
    raise TypeError(f"Cannot read back a {kind!r}")


def _expect(kind: type[T], data: object) -> T:
    if not isinstance(data, kind):
        raise ValueError(f"Expected {kind.__name__}, found {type(data).__name__}")
    return data
