"""Chinese full-text search over published articles (DOMAIN.md KB-5, P-14).

Chinese has no spaces between words, so text is cut into words with jieba
(search mode, which also yields the shorter words inside long ones:
"国际漫游" gives 国际, 漫游 and 国际漫游). The article keeps the words of its
title, tags and body as three space-separated columns.

- PostgreSQL: migration 0002 adds a generated column
  `setweight(to_tsvector('simple', title), 'A') || … tags 'B' || … body 'C'`
  with a GIN index. The 'simple' configuration only lower-cases, so jieba's
  words are the lexemes. A query is the AND of its words (the last one also
  as a prefix, for text still being typed); ranking puts articles with every
  word in the title first, then in the tags, then by ts_rank.
- SQLite (`make run`): the same words matched with LIKE on the space-delimited
  columns and ranked by the same tiers in SQL. Fine for a demo's few hundred
  articles; PostgreSQL is what production and the tests use.

When no article has every word (a typo, an extra word), the search falls back
to articles with any of them, ranked the same way, and says so.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import cache

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    F,
    FloatField,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Words that carry no meaning for matching (questions agents type start with them).
_STOP_WORDS = """
的 了 是 我 你 您 他 她 它 们 吗 呢 吧 啊 呀 在 和 与 或 及 也 都 就 要 会 能 可以 怎么 怎样
如何 什么 为什么 一下 一个 这个 那个 请问 您好 你好 谢谢 有 没有 不 想 给 把 被 让 对 从 到
还 又 很 哪里 哪些 多少
"""
STOP_WORDS = frozenset(_STOP_WORDS.split())
MAX_QUERY_WORDS = 12
_WORD = re.compile(r"\w+")

log = logging.getLogger(__name__)


@cache
def _tokenizer():
    import jieba

    # jieba gives its logger a stderr handler of its own at import; without it
    # its records go through the project's handlers, which scrub personal data.
    jieba.default_logger.removeHandler(jieba.log_console)
    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


def words(text: str) -> list[str]:
    """The words of a text in order, lower-cased, punctuation dropped."""
    found = []
    for piece in _tokenizer().cut_for_search(text or ""):
        for word in _WORD.findall(piece.lower()):
            if word.strip("_"):
                found.append(word)
    return found


def indexed(text: str) -> str:
    """A column's value: the words with a space at each end, so ' word ' matches whole words."""
    found = words(text)
    return f" {' '.join(found)} " if found else ""


def query_words(text: str) -> list[str]:
    """The distinct words a query searches for, stop words dropped unless nothing else is left."""
    found = list(dict.fromkeys(words(text)))
    meaningful = [word for word in found if word not in STOP_WORDS]
    return (meaningful or found)[:MAX_QUERY_WORDS]


@dataclass(frozen=True)
class Query:
    words: tuple[str, ...]
    prefix_last: bool  # the last word may still be being typed

    @classmethod
    def parse(cls, text: str, *, prefix_last: bool = True) -> Query:
        found = query_words(text)
        # A last word that is not followed by a space or punctuation may be unfinished.
        unfinished = bool(found) and prefix_last and bool(re.search(r"\w$", text or ""))
        return cls(tuple(found), unfinished)

    def __bool__(self) -> bool:
        return bool(self.words)


# ---------------------------------------------------------------- PostgreSQL


def _lexeme(word: str, *, prefix: bool, weight: str = "") -> str:
    # words() keeps only \w characters, so no quote or backslash reaches the tsquery.
    marks = ("*" if prefix else "") + weight
    return f"'{word}'" + (f":{marks}" if marks else "")


def _tsquery(query: Query, joiner: str, weight: str = "") -> str:
    last = len(query.words) - 1
    return f" {joiner} ".join(
        _lexeme(word, prefix=query.prefix_last and i == last, weight=weight)
        for i, word in enumerate(query.words)
    )


VECTOR = '"knowledge_article"."search_vector"'


def _pg_match(queryset: QuerySet, query: Query, *, every_word: bool) -> QuerySet:
    joiner = "&" if every_word else "|"
    matches = _tsquery(query, joiner)
    in_title = _tsquery(query, "&", "A")
    in_tags = _tsquery(query, "&", "B")
    return (
        queryset.alias(
            matched=RawSQL(
                f"{VECTOR} @@ to_tsquery('simple', %s)", [matches], output_field=BooleanField()
            )
        )
        .filter(matched=True)
        .annotate(
            title_hit=RawSQL(
                f"{VECTOR} @@ to_tsquery('simple', %s)", [in_title], output_field=BooleanField()
            ),
            tags_hit=RawSQL(
                f"{VECTOR} @@ to_tsquery('simple', %s)", [in_tags], output_field=BooleanField()
            ),
            rank=RawSQL(
                f"ts_rank({VECTOR}, to_tsquery('simple', %s))", [matches], output_field=FloatField()
            ),
        )
    )


# ---------------------------------------------------------------- SQLite


def _contains(column: str, word: str, *, prefix: bool) -> Q:
    return Q(**{f"{column}__contains": f" {word}" if prefix else f" {word} "})


def _all_words(column: str, query: Query) -> Q:
    last = len(query.words) - 1
    condition = Q()
    for i, word in enumerate(query.words):
        condition &= _contains(column, word, prefix=query.prefix_last and i == last)
    return condition


def _like_match(queryset: QuerySet, query: Query, *, every_word: bool) -> QuerySet:
    last = len(query.words) - 1
    columns = ("search_title", "search_tags", "search_body")
    per_word = []
    for i, word in enumerate(query.words):
        prefix = query.prefix_last and i == last
        per_word.append(Q(*[_contains(c, word, prefix=prefix) for c in columns], _connector="OR"))
    matched = Q(*per_word, _connector="AND" if every_word else "OR")
    hits = [
        Case(When(condition, then=Value(weight)), default=Value(0), output_field=IntegerField())
        for i, word in enumerate(query.words)
        for column, weight in zip(columns, (4, 2, 1), strict=True)
        for condition in [_contains(column, word, prefix=query.prefix_last and i == last)]
    ]
    rank = sum(hits[1:], start=hits[0])
    return queryset.filter(matched).annotate(
        title_hit=Case(When(_all_words("search_title", query), then=True), default=False),
        tags_hit=Case(When(_all_words("search_tags", query), then=True), default=False),
        rank=rank * Value(1.0, output_field=FloatField()),
    )


# ---------------------------------------------------------------- both


# The order of search results: every word in the title, then in the tags, then by rank.
BEST_FIRST = (
    F("title_hit").desc(),
    F("tags_hit").desc(),
    F("rank").desc(),
    F("published_at").desc(nulls_last=True),
    F("pk").desc(),
)


def annotated(queryset: QuerySet, query: Query, *, every_word: bool = True) -> QuerySet:
    """The articles of `queryset` matching the query (every word, or any), annotated with
    title_hit, tags_hit and rank, in no order."""
    match = _pg_match if connection.vendor == "postgresql" else _like_match
    return match(queryset, query, every_word=every_word)


def matching(queryset: QuerySet, query: Query, *, every_word: bool = True) -> QuerySet:
    """The articles of `queryset` matching the query, best first."""
    return annotated(queryset, query, every_word=every_word).order_by(*BEST_FIRST)


# ---------------------------------------------------------------- highlights


def _pattern(query: Query) -> re.Pattern | None:
    if not query:
        return None
    alternatives = sorted(query.words, key=len, reverse=True)
    return re.compile("|".join(re.escape(word) for word in alternatives), re.IGNORECASE)


def highlight(text: str, query: Query) -> SafeString:
    """The text, escaped, with the query's words in <mark>."""
    pattern = _pattern(query)
    if pattern is None:
        return escape(text)
    pieces, cursor = [], 0
    for found in pattern.finditer(text):
        pieces.append(escape(text[cursor : found.start()]))
        pieces.append(f"<mark>{escape(found.group(0))}</mark>")
        cursor = found.end()
    pieces.append(escape(text[cursor:]))
    return mark_safe("".join(pieces))  # every piece is escaped above


def excerpt(text: str, query: Query, *, length: int = 90) -> SafeString:
    """A piece of the text around the first word of the query it holds, highlighted."""
    flat = " ".join(text.split())
    pattern = _pattern(query)
    found = pattern.search(flat) if pattern else None
    start = max(0, found.start() - length // 3) if found else 0
    piece = flat[start : start + length]
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + length < len(flat) else ""
    return mark_safe(f"{prefix}{highlight(piece, query)}{suffix}")  # highlight() escapes
