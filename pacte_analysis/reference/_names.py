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

_ARTICLE_WORDS = ("les", "le", "la", "l", "aux", "las", "los")
_ABBREVIATIONS = {
    "st": "saint",
    "ste": "sainte",
    "sts": "saints",
    "stes": "saintes",
    "s/": "sur",
    "ss": "sous",
}
_NON_ALNUM = re.compile(r"[^0-9a-z/]+")
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


def normalize_text(text: str) -> str:
    """Lower-case, strip accents and punctuation, collapse spaces.

    Examples
    --------
    >>> normalize_text("  Saint-Étienne-du-Rouvray ")
    'saint etienne du rouvray'
    """
    text = unicodedata.normalize("NFKD", str(text))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.lower().replace("œ", "oe").replace("æ", "ae").replace("ß", "ss")
    text = text.replace("’", " ").replace("'", " ")
    words = _NON_ALNUM.sub(" ", text).split()
    return " ".join(_ABBREVIATIONS.get(w, w) for w in words).replace("/", " ").strip()


def name_key(name: str) -> str:
    """Matching key of a commune name: normalised, article removed wherever written.

    ``Le Havre``, ``Havre (Le)``, ``LE HAVRE``, ``Havre, le`` and ``Havre`` share
    the key ``havre``; ``St-Malo`` and ``Saint Malo`` share ``saint malo``.

    Examples
    --------
    >>> {name_key(n) for n in ["Le Havre", "Havre (Le)", "LE HAVRE", "havre"]}
    {'havre'}
    >>> name_key("L'Haÿ-les-Roses")
    'hay les roses'
    """
    raw = unicodedata.normalize("NFKD", str(name))
    raw = "".join(ch for ch in raw if not unicodedata.combining(ch)).lower().strip()
    match = _TRAILING_ARTICLE.match(raw)
    if match:
        raw = match.group("name")
    key = normalize_text(raw)
    words = key.split()
    if len(words) > 1 and words[0] in _ARTICLE_WORDS:
        words = words[1:]
    return " ".join(words)
