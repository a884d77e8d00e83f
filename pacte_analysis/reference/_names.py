"""Normalisation of French commune and département names for matching."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["ARTICLES", "article_name", "name_key", "normalize_text"]

#: INSEE's TNCC (type de nom en clair) → article written before the name.
ARTICLES: dict[str, str] = {
    "0": "",
    "1": "",
    "2": "Le ",
    "3": "La ",
    "4": "Les ",
    "5": "L'",
    "6": "Aux ",
    "7": "Las ",
    "8": "Los ",
}

_ARTICLE_WORDS = frozenset({"les", "le", "la", "l", "aux", "las", "los"})
_ABBREVIATIONS = {
    "st": "saint",
    "ste": "sainte",
    "sts": "saints",
    "stes": "saintes",
    "ss": "sous",
}
_ABBREVIATED = re.compile(r"\b(?:st|ste|sts|stes|ss)\b")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_SUR = re.compile(r"(?<![0-9a-z])s\s*/")  # « s/Mer », « s/ Mer » → « sur Mer »
_LEZ = re.compile(r"(?<= )lez(?= )")
_COMBINING = dict.fromkeys(range(0x300, 0x370))  # accents left by NFKD
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss"})
_TRAILING_ARTICLE = re.compile(
    r"^(?P<name>.+?)\s*[\(,]\s*(?P<art>les|le|la|l'?|aux|las|los)\s*\)?$"
)


def article_name(name: str, tncc: str | None) -> str:
    """Return the official name with its article (``Havre`` + ``2`` → ``Le Havre``).

    Examples
    --------
    >>> article_name("Havre", "2"), article_name("Abergement-Clémenciat", "5")
    ('Le Havre', "L'Abergement-Clémenciat")
    """
    return f"{ARTICLES.get(tncc or '0', '')}{name}"


def _fold(text: str) -> str:
    """Lower case without accents (``Étienne`` → ``etienne``)."""
    return unicodedata.normalize("NFKD", text).translate(_COMBINING).lower().translate(_LIGATURES)


def _words(folded: str) -> str:
    """Words of a folded text, abbreviations spelt out, separated by one space."""
    text = _SUR.sub(" sur ", folded)
    text = _NON_ALNUM.sub(" ", text).strip()
    if "s" in text:  # every abbreviation has an « s »
        text = _ABBREVIATED.sub(lambda m: _ABBREVIATIONS[m.group()], text)
    return text


def normalize_text(text: str) -> str:
    """Lower-case, strip accents and punctuation, collapse spaces.

    Examples
    --------
    >>> normalize_text("  Saint-Étienne-du-Rouvray ")
    'saint etienne du rouvray'
    >>> normalize_text("Marseille 7e secteur (13e/14e)")
    'marseille 7e secteur 13e 14e'
    """
    return _words(_fold(str(text)))


def name_key(name: str) -> str:
    """Matching key of a commune name: normalised, article removed wherever written.

    ``Le Havre``, ``Havre (Le)``, ``LE HAVRE``, ``Havre, le`` and ``Havre`` share
    the key ``havre``; ``St-Malo`` and ``Saint Malo`` share ``saint malo``; ``lez``,
    ``lès`` and ``les`` inside a name are one word (official names use both:
    Saint-André-lez-Lille, Champigny-lès-Langres), ``s/`` is ``sur``.

    Examples
    --------
    >>> {name_key(n) for n in ["Le Havre", "Havre (Le)", "LE HAVRE", "havre"]}
    {'havre'}
    >>> name_key("L'Haÿ-les-Roses")
    'hay les roses'
    >>> name_key("St André lès Lille") == name_key("Saint-André-lez-Lille")
    True
    >>> name_key("Boulogne s/Mer"), name_key("Œuilly")
    ('boulogne sur mer', 'oeuilly')
    """
    raw = _fold(str(name)).strip()
    if "(" in raw or "," in raw:
        match = _TRAILING_ARTICLE.match(raw)
        if match:
            raw = match.group("name")
    key = _words(raw)
    first, _, rest = key.partition(" ")
    if rest and first in _ARTICLE_WORDS:
        key = rest
    return _LEZ.sub("les", key) if "lez" in key else key
