"""PostgreSQL's own message formats, in every language it ships, compiled to regular expressions.

A localized server translates the deadlock message, the "waits for" DETAIL lines, the lock
target descriptions and CONTEXT; keying on PostgreSQL's translations (package data copied from
its message catalogs) lets one parser read all of them. Arguments are returned in the msgid's
order even when a translation reorders them with `%2$s`-style specifiers.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

#: the eight lock modes of the regular lock method, weakest first (never translated)
LOCK_MODES: tuple[str, ...] = (
    "AccessShareLock",
    "RowShareLock",
    "RowExclusiveLock",
    "ShareUpdateExclusiveLock",
    "ShareLock",
    "ShareRowExclusiveLock",
    "ExclusiveLock",
    "AccessExclusiveLock",
)
_MODE_RE = r"([A-Z][A-Za-z]*Lock)"

DEADLOCK = "deadlock detected"
WAITS = "Process %d waits for %s on %s; blocked by process %d."
WAITS_NOBLOCK = "Process %d waits for %s on %s."
PROCESS_QUERY = "Process %d: %s"
HINT = "See server log for query details."
STILL_WAITING = "process %d still waiting for %s on %s after %ld.%03d ms"
ACQUIRED = "process %d acquired %s on %s after %ld.%03d ms"
DETECTED = "process %d detected deadlock while waiting for %s on %s after %ld.%03d ms"
AVOIDED = "process %d avoided deadlock for %s on %s by rearranging queue order after %ld.%03d ms"
FAILED = "process %d failed to acquire %s on %s after %ld.%03d ms"
LOCK_WAIT_LOGS = (STILL_WAITING, ACQUIRED, DETECTED, AVOIDED, FAILED)

#: lock target description (lmgr.c DescribeLockTag) -> pg_locks locktype
LOCKTAGS: dict[str, str] = {
    "relation %u of database %u": "relation",
    "extension of relation %u of database %u": "extend",
    "pg_database.datfrozenxid of database %u": "frozenid",
    "page %u of relation %u of database %u": "page",
    "tuple (%u,%u) of relation %u of database %u": "tuple",
    "transaction %u": "transactionid",
    "virtual transaction %d/%u": "virtualxid",
    "speculative token %u of transaction %u": "spectoken",
    "object %u of class %u of database %u": "object",
    "user lock [%u,%u,%u]": "userlock",
    "advisory lock [%u,%u,%u,%u]": "advisory",
    "remote transaction %u of subscription %u of database %u": "applytransaction",
}
#: names of each locktag's arguments, in msgid order
LOCKTAG_FIELDS: dict[str, tuple[str, ...]] = {
    "relation": ("relation", "database"),
    "extend": ("relation", "database"),
    "frozenid": ("database",),
    "page": ("page", "relation", "database"),
    "tuple": ("page", "tuple", "relation", "database"),
    "transactionid": ("transactionid",),
    "virtualxid": ("backend", "localxid"),
    "spectoken": ("token", "transactionid"),
    "object": ("objid", "classid", "database"),
    "userlock": ("field1", "field2", "field3"),
    "advisory": ("field1", "field2", "field3", "field4"),
    "applytransaction": ("transactionid", "subscription", "database"),
}

#: CONTEXT lines of row-lock waits (lmgr.c XactLockTableWaitErrorCb) -> operation
TUPLE_CONTEXTS: dict[str, str] = {
    'while updating tuple (%u,%u) in relation "%s"': "update",
    'while deleting tuple (%u,%u) in relation "%s"': "delete",
    'while locking tuple (%u,%u) in relation "%s"': "lock",
    'while locking updated version (%u,%u) of tuple in relation "%s"': "lock-updated",
    'while inserting index tuple (%u,%u) in relation "%s"': "insert-index",
    'while checking uniqueness of tuple (%u,%u) in relation "%s"': "check-unique",
    'while rechecking updated tuple (%u,%u) in relation "%s"': "recheck",
    'while checking exclusion constraint on tuple (%u,%u) in relation "%s"': "check-exclusion",
}
FUNCTION_CONTEXTS = (
    "PL/pgSQL function %s line %d at %s",
    "PL/pgSQL function %s line %d %s",
    'SQL function "%s" statement %d',
)
SQL_STATEMENT_CONTEXT = 'SQL statement "%s"'

#: look-alike primary messages -> (sqlstate, kind)
LOOKALIKES: dict[str, tuple[str, str]] = {
    "canceling statement due to lock timeout": ("55P03", "lock-timeout"),
    'could not obtain lock on row in relation "%s"': ("55P03", "nowait"),
    'could not obtain lock on relation "%s"': ("55P03", "nowait"),
    "could not serialize access due to concurrent update": ("40001", "serialization-failure"),
    "could not serialize access due to concurrent delete": ("40001", "serialization-failure"),
    "could not serialize access due to read/write dependencies among transactions": (
        "40001",
        "serialization-failure",
    ),
    "canceling statement due to statement timeout": ("57014", "statement-timeout"),
    "current transaction is aborted, commands ignored until end of transaction block": (
        "25P02",
        "in-failed-transaction",
    ),
}

#: report labels (elog.c severities and field labels) as the server prints them, per language.
#: Unknown upper-case labels are still accepted; these only decide a record's role without
#: looking at its text.
_SEVERITY_WORDS = """DEBUG DEBUG1 DEBUG2 DEBUG3 DEBUG4 DEBUG5 LOG INFO NOTICE WARNING ERROR FATAL
PANIC HINWEIS WARNUNG FEHLER PANIK ERREUR ATTENTION ADVERTENCIA NOTICIA AVISO ERRORE FATALE PANICO
NOTIFICA ATTENZIONE ERRO NOTA PÂNICO СООБЩЕНИЕ ИНФОРМАЦИЯ ЗАМЕЧАНИЕ ПРЕДУПРЕЖДЕНИЕ ОШИБКА ВАЖНО
ПАНИКА 日志 信息 注意 警告 错误 致命错误 로그 정보 알림 경고 오류 치명적오류 LOGG NOTIS VARNING FEL
FATALT DZIENNIK INFORMACJA UWAGA OSTRZEŻENIE BŁĄD KATASTROFALNY CHYBA VAROVÁNÍ HATA UYARI ПОМИЛКА"""
SEVERITY_LABELS = frozenset(_SEVERITY_WORDS.split())
FIELD_LABELS: dict[str, str] = {}
for _field, _labels in {
    "detail": "DETAIL DÉTAIL DETALLE DETTAGLI DETALHE ПОДРОБНОСТИ 详细信息 詳細 상세정보 "
    "DETALJER SZCZEGÓŁY DETAYLAR ДЕТАЛІ",
    "hint": "HINT TIPP ASTUCE SUGERENCIA SUGGERIMENTO DICA ПОДСКАЗКА 提示 ヒント 힌트 TIPS "
    "WSKAZÓWKA İPUCU ПІДКАЗКА",
    "context": "CONTEXT ZUSAMMENHANG CONTEXTE CONTEXTO CONTESTO КОНТЕКСТ 上下文 文脈 "
    "KONTEXT KONTEKST BAĞLAM",
    "statement": "STATEMENT ANWEISUNG INSTRUCTION SENTENCIA ISTRUZIONE COMANDO ОПЕРАТОР 语句 文 "
    "SATS WYRAŻENIE",
    "query": "QUERY ANFRAGE REQUÊTE CONSULTA ЗАПРОС 查询 問い合わせ 쿼리 FRÅGA ZAPYTANIE",
    "location": "LOCATION ORT EMPLACEMENT UBICACIÓN POSIZIONE LOCAL ПОЛОЖЕНИЕ 位置 場所 위치 "
    "PLATS POZYCJA",
}.items():
    for _label in _labels.split():
        FIELD_LABELS[_label] = _field


@cache
def catalog() -> dict[str, dict[str, str]]:
    """msgid -> {language: translation}, English included as 'en'."""
    raw = json.loads(resources.files(__package__).joinpath("messages.json").read_text("utf-8"))
    out: dict[str, dict[str, str]] = {}
    for msgid, translations in raw["messages"].items():
        out[msgid] = {"en": msgid, **translations}
    for msgid in (*LOCKTAGS, *LOCK_WAIT_LOGS):
        out.setdefault(msgid, {"en": msgid})
    return out


_SPEC_RE = re.compile(r"%(?:(\d+)\$)?0?\d*(?:l{0,2})([dus])|%%")


@dataclass(frozen=True)
class Template:
    """One translation of one msgid as a regex; `order[i]` is the msgid argument of group i+1."""

    msgid: str
    lang: str
    regex: re.Pattern[str]
    order: tuple[int, ...]
    needle: str = ""  # a literal every match contains: a cheap `in` test before the regex

    def match(self, text: str, *, search: bool = False) -> list[str] | None:
        """The msgid-ordered arguments when `text` matches (whole text unless `search`)."""
        if self.needle not in text:
            return None
        m = self.regex.search(text) if search else self.regex.fullmatch(text)
        if m is None:
            return None
        args = [""] * (max(self.order) + 1 if self.order else 0)
        for group, index in enumerate(self.order, start=1):
            args[index] = m.group(group)
        return args


def _literal(text: str) -> str:
    out = re.escape(text)
    return out.replace(r"\ ", r"\s*") if text.strip() else out.replace(r"\ ", r"\s+")


def _compile(msgid: str, lang: str, text: str, mode_args: frozenset[int]) -> Template:
    parts: list[str] = []
    order: list[int] = []
    pos = 0
    sequential = 0
    for m in _SPEC_RE.finditer(text):
        parts.append(_literal(text[pos : m.start()]))
        pos = m.end()
        if m.group(0) == "%%":
            parts.append("%")
            continue
        index = int(m.group(1)) - 1 if m.group(1) else sequential
        sequential += 1
        conv = m.group(2)
        if index in mode_args:
            parts.append(_MODE_RE)
        elif conv == "s":
            parts.append("(.+?)")
        elif conv == "d":
            parts.append(r"(-?\d+)")
        else:
            parts.append(r"(\d+)")
        order.append(index)
    tail = text[pos:]
    if tail.endswith("."):
        parts.append(_literal(tail[:-1]) + r"\.?")
    else:
        parts.append(_literal(tail))
    literal_words = _SPEC_RE.sub(" ", text.removesuffix(".")).split()
    needle = max(literal_words, key=len, default="")
    return Template(msgid, lang, re.compile("".join(parts)), tuple(order), needle)


_MODE_ARG = {WAITS: 1, WAITS_NOBLOCK: 1, **dict.fromkeys(LOCK_WAIT_LOGS, 1)}


@cache
def templates(msgid: str) -> tuple[Template, ...]:
    """Every language's template for `msgid`, English first."""
    translations = catalog().get(msgid, {"en": msgid})
    mode_args = frozenset({_MODE_ARG[msgid]}) if msgid in _MODE_ARG else frozenset()
    langs = ["en", *sorted(k for k in translations if k != "en")]
    return tuple(_compile(msgid, lang, translations[lang], mode_args) for lang in langs)


def match_any(
    msgid: str, text: str, *, search: bool = False, lang: str | None = None
) -> tuple[str, list[str]] | None:
    """(language, args) of the first translation of `msgid` that matches `text`."""
    tpls = templates(msgid)
    if lang and lang != "en":
        tpls = tuple(sorted(tpls, key=lambda t: (t.lang != lang, t.lang != "en")))
    for tpl in tpls:
        args = tpl.match(text, search=search)
        if args is not None:
            return tpl.lang, args
    return None


@cache
def translations_of(msgid: str) -> tuple[tuple[str, str], ...]:
    """(language, literal text) pairs, for substring tests of argument-free messages."""
    return tuple(catalog().get(msgid, {"en": msgid}).items())


def starts_with_message(msgid: str, text: str) -> str | None:
    """The language whose translation of an argument-free `msgid` starts `text`."""
    for lang, translated in translations_of(msgid):
        if text.startswith(translated):
            return lang
    return None
