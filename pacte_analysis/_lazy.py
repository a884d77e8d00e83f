"""Package namespaces whose public names are imported on first use (PEP 562).

The ``pacte`` command registers its sub-commands, and the commune resolver runs,
without loading pandas, geopandas or the drawing libraries their siblings need.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_names"]


def lazy_names(
    namespace: dict[str, Any], names: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for a package whose ``names`` are lazy.

    Parameters
    ----------
    namespace : dict
        The package's ``globals()``: a name, once imported, is stored there.
    names : mapping of str to str
        Public name → module that defines it.
    """

    def __getattr__(name: str) -> Any:
        module = names.get(name)
        if module is None:
            raise AttributeError(f"module {namespace['__name__']!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(namespace.get("__all__", ())))

    return __getattr__, __dir__
