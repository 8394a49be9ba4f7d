"""PII masking of free text: emails, IP addresses, card-like numbers and long tokens/keys.

The event screen's `m` toggle (and `mask_pii = true`) runs every shown text through `mask_pii`,
so a screen share or a screenshot does not carry people's data.
"""

from __future__ import annotations

import ipaddress
import re

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_IP_CANDIDATE = re.compile(
    r"(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?!\w|\.\d)"
    r"|(?<![\w.:])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![\w.:])"
)
_CARD = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")
_TOKEN = re.compile(
    r"\b(?:(?:sntry[su]|sk_live|sk_test|rk_live|ghp|gho|github_pat|xox[abpr])[_-][A-Za-z0-9_\-=]{8,}"
    r"|AKIA[0-9A-Z]{16}|eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]+"
    r"|[A-Za-z0-9+/_\-]{40,}={0,2})"
)


def _luhn(digits: str) -> bool:
    total = 0
    for n, ch in enumerate(reversed(digits)):
        d = int(ch)
        if n % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _mask_ip(match: re.Match[str]) -> str:
    text = match.group(0)
    if ":" in text and text.count(":") < 2:
        return text
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return text
    return "‹ip›"


def _mask_card(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    return "‹card›" if 13 <= len(digits) <= 19 and _luhn(digits) else match.group(0)


def _mask_token(match: re.Match[str]) -> str:
    text = match.group(0)
    if len(text) >= 40 and not text.startswith(("sntry", "sk_", "rk_", "gh", "xox", "AKIA", "eyJ")):
        # long random-looking keys: mixed case and digits; not paths, words or hex ids
        has = (any(c.isupper() for c in text), any(c.islower() for c in text))
        if not (all(has) and any(c.isdigit() for c in text)):
            return text
    return "‹token›"


def mask_pii(text: str) -> str:
    """Mask emails, IP addresses, card-like numbers (Luhn-valid) and long tokens/keys.

    Lower-case hex ids (event ids, trace ids, hashes) are kept: they identify data, not people,
    and the screen is useless without them.
    """
    if not text:
        return text
    text = _TOKEN.sub(_mask_token, text)
    text = _EMAIL.sub("‹email›", text)
    text = _IP_CANDIDATE.sub(_mask_ip, text)
    return _CARD.sub(_mask_card, text)
