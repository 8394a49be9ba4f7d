"""The event list's filter terms: picking a value replaces that key's term, typing is kept."""

from __future__ import annotations

from dexter_tui.sentry.models import TagDetail, TagValue
from dexter_tui.services.event_filter import distribution, terms, with_term, without_key


def test_with_term_adds_then_replaces_the_key_in_place() -> None:
    query = with_term("", "environment", "production")
    assert query == 'environment:"production"'
    query = with_term(query + " browser:Firefox", "release", "api@1.2 beta")
    assert query == 'environment:"production" browser:Firefox release:"api@1.2 beta"'
    assert with_term(query, "environment", "staging").startswith('environment:"staging" browser')
    assert without_key(query, "browser") == 'environment:"production" release:"api@1.2 beta"'


def test_quoted_values_with_spaces_and_quotes_stay_one_term() -> None:
    query = with_term('message:"a b" !level:info', "title", 'say "hi"')
    assert terms(query) == ['message:"a b"', "!level:info", 'title:"say \\"hi\\""']
    assert with_term("!level:info", "level", "error") == '!level:info level:"error"'


def test_distribution_puts_environment_and_release_first() -> None:
    details = [
        TagDetail(key="browser", total_values=4, top_values=[TagValue(value="Firefox", count=4)]),
        TagDetail(
            key="release",
            total_values=4,
            top_values=[TagValue(value="1.1", count=3), TagValue(value="1.0", count=1)],
        ),
        TagDetail(key="environment", total_values=4, top_values=[TagValue(value="prod", count=4)]),
        TagDetail(  # one trace per event: no value of it is a useful filter
            key="trace",
            total_values=40,
            unique_values=38,
            top_values=[TagValue(value="t1", count=2), TagValue(value="t2", count=1)],
        ),
    ]
    rows = distribution(details)
    assert [(r.key, r.value, r.share) for r in rows] == [
        ("environment", "prod", 1.0),
        ("release", "1.1", 0.75),
        ("release", "1.0", 0.25),
        ("browser", "Firefox", 1.0),
    ]
    assert [r.first_of_key for r in rows] == [True, True, False, True]
