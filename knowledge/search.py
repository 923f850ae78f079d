"""Chinese full-text search over published articles (DOMAIN.md KB-5, P-14).

Chinese has no spaces between words, so text is cut into words with jieba
(search mode, which also yields the shorter words inside long ones:
"国际漫游" gives 国际, 漫游 and 国际漫游). The article keeps the words of its
title, tags and body as three space-separated columns.

A query is the AND of its words (the last one also as a prefix, for text
still being typed). Results come in two tiers (`ranked`):

1. articles with the words in the title or tags: every word in the title
   first, then every word in the tags, then by rank;
2. only when the first tier does not fill the page, articles with the words
   in the body, by rank.

A common word matches most of the articles, and ranking every match read
every match's vector: 0.2 s for the search page, 1 s for suggestions over
50,000 articles. So each tier ranks at most the newest
`settings.KNOWLEDGE_SEARCH_CANDIDATES` of its matches (200 by default, ten
pages), and says when it had more: the page then asks for a more precise
query. A rare word or a phrase has fewer matches than that, and all of them
are ranked.

- PostgreSQL: migration 0002 adds a generated column
  `setweight(to_tsvector('simple', title), 'A') || … tags 'B' || … body 'C'`
  and migration 0006 one of the title and tags alone, each with a GIN index.
  The 'simple' configuration only lower-cases, so jieba's words are the
  lexemes. A tier's candidates come from the GIN index (few matches) or the
  newest-first index (many), and only they are ranked.
- SQLite (`make run`): the same words matched with LIKE on the space-delimited
  columns and ranked by the same tiers in SQL, every match. Fine for a demo's
  few hundred articles; PostgreSQL is what production and the tests use.

When no article has every word (a typo, an extra word), the search falls back
to articles with any of them, through the same bounded tiers, and says so.
Ticket suggestions take any word of what the agent typed the same way.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Expression,
    F,
    FloatField,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
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


class _OnVector(Expression):
    """`column @@ tsquery` or `ts_rank(column, tsquery)` on one of the article table's
    generated tsvector columns, which no model field declares (they exist on
    PostgreSQL only). The column is named through the query's own alias of the
    table, so the expression stays right inside a subquery."""

    def __init__(self, template: str, column: str, tsquery: str, output_field) -> None:
        super().__init__(output_field=output_field)
        self.template, self.column, self.tsquery = template, column, tsquery

    def as_sql(self, compiler, connection):
        table = compiler.quote_name_unless_alias(compiler.query.get_initial_alias())
        column = f"{table}.{connection.ops.quote_name(self.column)}"
        return self.template.format(column=column), [self.tsquery]


VECTOR = "search_vector"  # title A, tags B, body C (migration 0002)
HEAD = "search_head"  # title A, tags B (migration 0006)


def _pg_test(column: str, tsquery: str) -> _OnVector:
    return _OnVector("{column} @@ to_tsquery('simple', %s)", column, tsquery, BooleanField())


def _pg_rank(column: str, tsquery: str) -> _OnVector:
    return _OnVector("ts_rank({column}, to_tsquery('simple', %s))", column, tsquery, FloatField())


def _pg_tier(
    queryset: QuerySet,
    query: Query,
    *,
    tier: int,
    every_word: bool,
    stop: int,
    affinity: Expression | None,
) -> tuple[str, list, str, list]:
    """One tier's SQL: its candidates as common table expressions, and the SELECT of
    its first `stop` ids, best first, each with the number of candidates found
    (one more than the limit when there were more).

    The candidates (the newest matches, read from the GIN index or the
    newest-first index, whichever PostgreSQL finds cheaper) are materialised
    before anything is ranked: ranking reads their vectors by primary key. Asked
    as `id IN (candidates)` instead, the planner may sort the whole table first."""
    head = tier == 1
    matches = _tsquery(query, "&" if every_word else "|")
    if head:
        pool = queryset.alias(in_head=_pg_test(HEAD, matches)).filter(in_head=True)
    else:
        pool = queryset.alias(
            anywhere=_pg_test(VECTOR, matches), in_head=_pg_test(HEAD, matches)
        ).filter(anywhere=True, in_head=False)
    limit = candidates()
    columns = ["pk", "published_at"]
    if affinity is not None:
        pool, columns = pool.annotate(affinity=affinity), [*columns, "affinity"]
    # One more than the limit, to tell whether there were more.
    newest = pool.order_by("-published_at", "-pk").values_list(*columns)[: limit + 1]
    inner, inner_params = newest.query.sql_with_params()
    found, c = f"found{tier}", f"c{tier}"
    ctes = (
        f"{found}({', '.join(['id', *columns[1:]])}) AS MATERIALIZED ({inner}), "
        f"{c} AS (SELECT * FROM {found} ORDER BY published_at DESC, id DESC LIMIT %s)"
    )

    order = [f"ts_rank(a.{HEAD if head else VECTOR}, to_tsquery('simple', %s)) DESC"]
    params: list = [matches]
    if affinity is not None:
        order.insert(0, f"{c}.affinity DESC")
    if head:
        order.insert(len(order) - 1, f"a.{HEAD} @@ to_tsquery('simple', %s) DESC")
        order.insert(0, f"a.{HEAD} @@ to_tsquery('simple', %s) DESC")
        params = [_tsquery(query, "&", "A"), _tsquery(query, "&", "B"), matches]
    order.append("a.published_at DESC NULLS LAST, a.id DESC")
    select = (
        f"SELECT a.id, (SELECT COUNT(*) FROM {found}) FROM {c} "
        f"JOIN {queryset.model._meta.db_table} a ON a.id = {c}.id "
        f"ORDER BY {', '.join(order)} LIMIT %s"
    )
    return ctes, [*inner_params, limit], select, [*params, stop]


def _pg_ranked(
    queryset: QuerySet, query: Query, *, every_word: bool, stop: int, affinity: Expression | None
) -> Ranked:
    """Both tiers in one statement: PostgreSQL reads the second (its candidates too)
    only when the first leaves room under the LIMIT."""
    tiers = [
        _pg_tier(queryset, query, tier=tier, every_word=every_word, stop=stop, affinity=affinity)
        for tier in (1, 2)
    ]
    (
        (ctes1, ctes1_params, select1, select1_params),
        (ctes2, ctes2_params, select2, select2_params),
    ) = tiers
    sql = f"WITH {ctes1}, {ctes2} ({select1}) UNION ALL ({select2}) LIMIT %s"
    params = [*ctes1_params, *ctes2_params, *select1_params, *select2_params, stop]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    limit = candidates()
    return Ranked([pk for pk, _found in rows], any(found > limit for _pk, found in rows))


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
    per_word_in_head = [
        _contains("search_title", word, prefix=query.prefix_last and i == last)
        | _contains("search_tags", word, prefix=query.prefix_last and i == last)
        for i, word in enumerate(query.words)
    ]
    in_head = Q(*per_word_in_head, _connector="AND" if every_word else "OR")
    hits = [
        Case(When(condition, then=Value(weight)), default=Value(0), output_field=IntegerField())
        for i, word in enumerate(query.words)
        for column, weight in zip(columns, (4, 2, 1), strict=True)
        for condition in [_contains(column, word, prefix=query.prefix_last and i == last)]
    ]
    rank = sum(hits[1:], start=hits[0])
    return queryset.filter(matched).annotate(
        head_hit=Case(When(in_head, then=True), default=False),
        title_hit=Case(When(_all_words("search_title", query), then=True), default=False),
        tags_hit=Case(When(_all_words("search_tags", query), then=True), default=False),
        rank=rank * Value(1.0, output_field=FloatField()),
    )


# ---------------------------------------------------------------- both

NEWEST = (F("published_at").desc(nulls_last=True), F("pk").desc())

# The order of search results: every word in the title, then in the tags, then by rank.
BEST_FIRST = (F("title_hit").desc(), F("tags_hit").desc(), F("rank").desc(), *NEWEST)


def candidates() -> int:
    """How many matches a tier ranks at most: the newest (settings.KNOWLEDGE_SEARCH_CANDIDATES)."""
    return max(1, settings.KNOWLEDGE_SEARCH_CANDIDATES)


@dataclass(frozen=True)
class Ranked:
    ids: list[int]
    more: bool  # a tier had more matches than it ranked: the query is worth narrowing


def ranked(
    queryset: QuerySet,
    query: Query,
    *,
    stop: int,
    every_word: bool = True,
    affinity: Expression | None = None,
) -> Ranked:
    """The ids of the first `stop` articles of `queryset` matching the query (every word,
    or any), best first: those with the words in the title or tags, every word in
    the title first, then in the tags, then by rank; after them those with the words
    in the body, by rank. `affinity` (higher first) comes right after the title
    test in the first tier and before the rank in the second."""
    if connection.vendor == "postgresql":
        return _pg_ranked(queryset, query, every_word=every_word, stop=stop, affinity=affinity)
    found = _like_match(queryset, query, every_word=every_word)
    order = [F("head_hit").desc(), *BEST_FIRST]  # the first tier, then the second
    if affinity is not None:
        found = found.annotate(affinity=affinity)
        order.insert(2, F("affinity").desc())
    return Ranked(list(found.order_by(*order).values_list("pk", flat=True)[:stop]), False)


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
