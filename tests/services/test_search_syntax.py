"""Sentry search text as terms: tokens, adding a term, what Sentry would refuse."""

from __future__ import annotations

import pytest

from dexter_tui.services.search_syntax import add_term, problems, quote_value, token_at, tokens


def test_tokens_keep_quoted_spaces_together() -> None:
    text = 'is:unresolved message:"a b \\" c" !level:error free'
    assert [t.text for t in tokens(text)] == [
        "is:unresolved",
        'message:"a b \\" c"',
        "!level:error",
        "free",
    ]
    negated = tokens(text)[2]
    assert (negated.key, negated.value, negated.negated) == ("level", "error", True)
    assert tokens(text)[3].key is None


def test_token_at_the_cursor() -> None:
    assert token_at("is:unresolved lev", 17).text == "lev"
    assert token_at("is:unresolved ", 14).text == ""
    assert token_at("is:unresolved lev", 5).key == "is"


@pytest.mark.parametrize(
    ("query", "term", "result"),
    [
        ("is:unresolved", 'environment:"prod"', 'is:unresolved environment:"prod"'),
        ('is:unresolved environment:"a" x', 'environment:"b"', 'is:unresolved environment:"b" x'),
        ("!environment:a", "environment:b", "environment:b"),
        ("", "level:error", "level:error"),
        ("has:user", "has:url", "has:user has:url"),
        ("level:error", "level:error", "level:error"),
    ],
)
def test_add_term_adds_or_replaces_the_same_key(query: str, term: str, result: str) -> None:
    assert add_term(query, term) == result


def test_quote_value() -> None:
    assert quote_value("prod") == "prod"
    assert quote_value("a b") == '"a b"'
    assert quote_value('say "hi"') == '"say \\"hi\\""'
    assert quote_value("") == '""'


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('title:"open', "unclosed quote"),
        ("level:", "needs a value"),
        ("is:dead", "is not a status"),
        ("level:loud", "is not a level"),
        ("(a OR b", "without its )"),
        ("a OR b)", "without its ("),
    ],
)
def test_problems_name_what_sentry_would_refuse(text: str, fragment: str) -> None:
    assert any(fragment in p for p in problems(text))


@pytest.mark.parametrize(
    "text",
    ['is:unresolved level:error message:"a (b"', "(a OR b) c", "timesSeen:>10", "!is:resolved"],
)
def test_valid_searches_have_no_problems(text: str) -> None:
    assert problems(text) == []
