"""How alike two challenges are: word-set similarity in Python, trigram similarity on PostgreSQL.

PostgreSQL's pg_trgm compares texts by the three-letter pieces they share, which forgives
small spelling differences ("deligating"). Elsewhere (SQLite) the fallback compares the sets
of meaningful words after a light normalisation (lower case, no punctuation, common words
dropped, a plural "s" and "ing"/"ed" endings cut), by Jaccard's index: shared ÷ all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db import connection

from saypro.core.markdown import markdown_as_text

# A challenge joins the most similar theme at or above this similarity, else starts its own.
TRIGRAM_THRESHOLD = 0.3
JACCARD_THRESHOLD = 0.25
# How many of a module's grouped challenges a new one is compared with (the newest), on either database.
FALLBACK_CANDIDATES = 500
# Words of a challenge that name a new theme.
THEME_NAME_WORDS = 9

STOP_WORDS = frozenset(
    (
        "a", "about", "after", "again", "all", "also", "am", "an", "and", "any", "are", "as", "at", "be", "because",
        "been", "before", "being", "but", "by", "can", "cannot", "could", "did", "do", "does", "doing", "don", "down",
        "during", "each", "even", "every", "few", "for", "from", "get", "gets", "getting", "got", "had", "has", "have",
        "having", "he", "her", "here", "hers", "him", "his", "how", "i", "if", "in", "into", "is", "it", "its",
        "itself",
        "just", "like", "me", "more", "most", "my", "myself", "no", "nor", "not", "now", "of", "off", "on", "once",
        "only", "or", "other", "our", "ours", "out", "over", "own", "same", "she", "should", "so", "some", "such",
        "than", "that", "the", "their", "them", "then", "there", "these", "they", "this", "those", "through", "to",
        "too", "under", "until", "up", "very", "was", "we", "were", "what", "when", "where", "which", "while", "who",
        "whom", "why", "will", "with", "would", "you", "your", "yours", "one", "really", "much", "many", "still",
        "things", "thing",
    )
)  # fmt: skip

_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def uses_trigrams() -> bool:
    """Whether the database offers pg_trgm (PostgreSQL; the migration installs the extension)."""
    return connection.vendor == "postgresql"


def _stem(word: str) -> str:
    for ending in ("ing", "ed", "es", "s"):
        if len(word) > len(ending) + 3 and word.endswith(ending):
            return word[: -len(ending)]
    return word


def words(text: str) -> frozenset[str]:
    """The meaningful words of a text, normalised so that "Delegating tasks" meets "delegate a task"."""
    return frozenset(_stem(w) for w in _WORD.findall(text.lower()) if w not in STOP_WORDS and len(w) > 2)


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """Shared words ÷ all words of the two sets; 0 when either is empty."""
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def best_match(target: frozenset[str], candidates: Iterable[tuple[int, frozenset[str]]]) -> tuple[int | None, float]:
    """The candidate key most similar to `target` and its similarity (ties: the first given)."""
    best_key, best = None, 0.0
    for key, candidate in candidates:
        score = jaccard(target, candidate)
        if score > best:
            best_key, best = key, score
    return best_key, best


def theme_name_from(text: str) -> str:
    """A theme's first name: the opening words of the challenge that started it."""
    plain = markdown_as_text(text)
    parts = plain.split()
    name = " ".join(parts[:THEME_NAME_WORDS]).rstrip(".,;:!?")
    if len(parts) > THEME_NAME_WORDS:
        name += "…"
    return name[:120] or "Unnamed challenge"
