"""Checks of map arguments shared by the print and web maps (private)."""

from __future__ import annotations

from pacte_analysis.errors import PacteTypeError, UnknownCodeError

__all__ = ["zoom_code"]


def zoom_code(code: object, what: str) -> str | None:
    """A département / région code given as text (French errors otherwise)."""
    if code is None:
        return None
    if isinstance(code, bool) or not isinstance(code, str):
        hint = f' : écrivez « "{str(code).zfill(2)}" »' if isinstance(code, int) else ""
        raise PacteTypeError(
            f"Le code de {what} doit être un texte ({type(code).__name__} « {code} » reçu){hint} "
            "— les codes gardent leurs zéros initiaux et « 2A »/« 2B » pour la Corse."
        )
    if code != code.upper():
        raise UnknownCodeError(
            f"Code de {what} « {code} » inconnu ; vouliez-vous dire « {code.upper()} » ?"
        )
    return code
