"""Automatic checks on transcripts, as pure functions (issue 17 item 10).

A transcript is one utterance a line, `坐席：…` for the agent and `客户：…` for the
customer; the CTI may mark silences and holds as `[静音 35秒]` or `[保持 60秒]`.
Rules are data (quality.models.CheckRule): required phrases (a hit when the agent says
none of them), forbidden words (whole words: a line that contains one is cut into words
with jieba, the tokenizer the knowledge base uses, so 滚 does not fire inside 滚动),
patterns (regular expressions, e.g. a full ID or phone number read out), and silences
longer than a threshold. Only lines that contain a candidate are segmented, which keeps
a check to a fraction of a millisecond.
"""

import logging
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

AGENT_SPEAKERS = ("坐席", "客服", "业务代表", "话务员", "agent", "Agent")
SPEAKER = re.compile(r"^\s*([^：:\s]{1,8})\s*[：:]")
SILENCE = re.compile(r"[\[【]\s*(静音|保持|等待|silence|hold)\s*(\d+)\s*(秒|s)?\s*[\]】]", re.I)
EXCERPT = 60


@dataclass(frozen=True)
class Hit:
    rule_id: int
    line: int  # 1-based; 0 for the transcript as a whole
    start: int
    end: int
    excerpt: str


@dataclass(frozen=True)
class Rule:
    id: int
    kind: str
    agent_only: bool
    words: tuple[str, ...] = ()
    pattern: re.Pattern | None = None
    candidates: re.Pattern | None = None
    threshold: int = 0


@cache
def _tokenizer():
    import jieba

    # As knowledge.search does: jieba's own stderr handler off, its records through ours.
    jieba.default_logger.removeHandler(jieba.log_console)
    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


def _lines_of(text: str) -> list[str]:
    return [line for line in (text or "").splitlines() if line.strip()]


def compile_rule(row: Any) -> Rule:
    """A CheckRule row (or anything with its fields) as a Rule; ValueError if it cannot run."""
    words = tuple(w.strip() for w in (row.phrases or "").splitlines() if w.strip())
    agent_only = row.speaker == "agent"
    if row.kind == "required":
        if not words:
            raise ValueError("give at least one phrase")
        return Rule(row.id or 0, row.kind, agent_only, words)
    if row.kind == "forbidden":
        if not words:
            raise ValueError("give at least one word")
        alternation = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
        return Rule(row.id or 0, row.kind, agent_only, words, candidates=re.compile(alternation))
    if row.kind == "pattern":
        try:
            if not words:
                raise ValueError("give a regular expression")
            pattern = re.compile("|".join(f"(?:{w})" for w in words))
        except re.error as error:
            raise ValueError(f"not a regular expression: {error}") from None
        return Rule(row.id or 0, row.kind, agent_only, pattern=pattern)
    if row.kind == "silence":
        if not row.threshold_seconds:
            raise ValueError("give the threshold in seconds")
        return Rule(row.id or 0, row.kind, False, threshold=int(row.threshold_seconds))
    raise ValueError(f"unknown kind {row.kind!r}")


def _is_agent(line: str) -> bool:
    found = SPEAKER.match(line)
    return bool(found) and found.group(1) in AGENT_SPEAKERS


def _excerpt(line: str, start: int, end: int) -> str:
    left = max(0, start - EXCERPT // 2)
    return line[left : left + max(EXCERPT, end - left)]


def check(text: str, rules: list[Rule]) -> list[Hit]:
    """Every hit of every rule in the transcript, in the transcript's order."""
    lines = _lines_of(text)
    agent_lines = [(n, line) for n, line in enumerate(lines, start=1) if _is_agent(line)]
    hits: list[Hit] = []
    for rule in rules:
        scope = agent_lines if rule.agent_only else list(enumerate(lines, start=1))
        if rule.kind == "required":
            if not any(word in line for _n, line in scope for word in rule.words):
                hits.append(Hit(rule.id, 0, 0, 0, ""))
        elif rule.kind == "forbidden" and rule.candidates is not None:
            for n, line in scope:
                matches = list(rule.candidates.finditer(line))
                if not matches:
                    continue
                # A whole word begins and ends where jieba cuts the line (滚 is no word
                # of 滚动条; 不知道 is one of 我/不/知道).
                cuts, position = {0}, 0
                for token in _tokenizer().cut(line):
                    position += len(token)
                    cuts.add(position)
                for match in matches:
                    if match.start() in cuts and match.end() in cuts:
                        hits.append(
                            Hit(
                                rule.id,
                                n,
                                match.start(),
                                match.end(),
                                _excerpt(line, match.start(), match.end()),
                            )
                        )
        elif rule.kind == "pattern" and rule.pattern is not None:
            for n, line in scope:
                for match in rule.pattern.finditer(line):
                    hits.append(
                        Hit(
                            rule.id,
                            n,
                            match.start(),
                            match.end(),
                            _excerpt(line, match.start(), match.end()),
                        )
                    )
        elif rule.kind == "silence":
            for n, line in scope:
                for match in SILENCE.finditer(line):
                    if int(match.group(2)) >= rule.threshold:
                        hits.append(
                            Hit(
                                rule.id,
                                n,
                                match.start(),
                                match.end(),
                                _excerpt(line, match.start(), match.end()),
                            )
                        )
    return sorted(hits, key=lambda hit: (hit.line, hit.start, hit.rule_id))
