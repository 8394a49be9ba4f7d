"""A small User-Agent parser: the browser, operating system and device Relay derives from it.

Relay runs uap-core's regexes; the demo covers the agents people actually meet (the browsers of
the last years, the big operating systems, Apple and Android devices) and names them as uap-core
does ("Chrome", "Mobile Safari", "Mac OS X", "iPhone"), so the contexts and tags read the same.
What it does not recognise gives nothing, never a guess ("Other" is dropped, as Relay does).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: (name, regex with the version in group 1) — first match wins, so specific before generic.
_BROWSERS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern))
    for name, pattern in (
        ("Edge", r"\bEdg(?:e|A|iOS)?/(\d+(?:\.\d+){0,2})"),
        ("Opera", r"\bOPR/(\d+(?:\.\d+){0,2})"),
        ("Samsung Internet", r"\bSamsungBrowser/(\d+(?:\.\d+){0,2})"),
        ("Firefox iOS", r"\bFxiOS/(\d+(?:\.\d+){0,2})"),
        ("Chrome Mobile iOS", r"\bCriOS/(\d+(?:\.\d+){0,2})"),
        ("Firefox Mobile", r"\bAndroid\b.*\bFirefox/(\d+(?:\.\d+){0,2})"),
        ("Firefox", r"\bFirefox/(\d+(?:\.\d+){0,2})"),
        ("Chrome Mobile WebView", r"\bAndroid\b.*; wv\).*\bChrome/(\d+(?:\.\d+){0,2})"),
        ("Chrome Mobile", r"\bAndroid\b.*\bChrome/(\d+(?:\.\d+){0,2}).*\bMobile\b"),
        ("Chrome", r"\b(?:Chrome|Chromium)/(\d+(?:\.\d+){0,2})"),
        ("Mobile Safari", r"\b(?:iPhone|iPad|iPod)\b.*\bVersion/(\d+(?:\.\d+){0,2}).*\bSafari/"),
        ("Safari", r"\bVersion/(\d+(?:\.\d+){0,2}).*\bSafari/"),
        ("IE", r"\b(?:MSIE |Trident/.*rv:)(\d+(?:\.\d+)?)"),
    )
)

_OSES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern))
    for name, pattern in (
        ("iOS", r"\b(?:iPhone|iPad|iPod)\b.*\bOS (\d+(?:_\d+){0,2})\b"),
        ("Android", r"\bAndroid (\d+(?:\.\d+){0,2})"),
        ("Mac OS X", r"\bMac OS X (\d+(?:[_.]\d+){0,2})"),
        ("Chrome OS", r"\bCrOS \S+ (\d+(?:\.\d+){0,2})"),
        ("Windows", r"\bWindows NT (\d+\.\d+)"),
        ("Ubuntu", r"\bUbuntu\b(?:/(\d+(?:\.\d+)*))?"),
        ("Linux", r"\bLinux\b()"),
    )
)

#: Windows NT kernel versions -> the names uap-core reports.
_WINDOWS = {"10.0": "10", "6.3": "8.1", "6.2": "8", "6.1": "7", "6.0": "Vista", "5.1": "XP"}


@dataclass(frozen=True)
class UserAgent:
    """What an agent string says; empty strings where it says nothing."""

    browser: str = ""
    browser_version: str = ""
    os: str = ""
    os_version: str = ""
    device_family: str = ""
    device_model: str = ""
    device_brand: str = ""


_ANDROID_MODEL = re.compile(
    r"\bAndroid [\d.]+; (?:[a-z]{2}[-_][a-zA-Z]{2}; )?([^;)]+?)(?: Build/|\))"
)


def _device(ua: str) -> tuple[str, str, str]:
    for family in ("iPhone", "iPad", "iPod"):
        if re.search(rf"\b{family}\b", ua):
            return family, family, "Apple"
    if "Macintosh" in ua:
        return "Mac", "Mac", "Apple"
    android = _ANDROID_MODEL.search(ua)
    if android:
        model = android.group(1).strip()
        if model and model not in ("K", "wv", "Mobile"):
            brand = "Samsung" if model.startswith("SM-") else ""
            if model.startswith("Pixel"):
                brand = "Google"
            return model, model, brand
    return "", "", ""


def parse_user_agent(ua: str) -> UserAgent:
    """The browser, OS and device of a User-Agent header (unknown parts left empty)."""
    if not isinstance(ua, str) or not ua.strip() or len(ua) > 1024:
        return UserAgent()
    browser = version = ""
    for name, pattern in _BROWSERS:
        match = pattern.search(ua)
        if match:
            browser, version = name, match.group(1)
            break
    os_name = os_version = ""
    for name, pattern in _OSES:
        match = pattern.search(ua)
        if match:
            os_name, os_version = name, (match.group(1) or "").replace("_", ".")
            break
    if os_name == "Windows":
        os_version = _WINDOWS.get(os_version, os_version)
    family, model, brand = _device(ua)
    return UserAgent(browser, version, os_name, os_version, family, model, brand)


def ua_contexts(ua: str, platform: str | None) -> dict[str, dict[str, str]]:
    """Relay's contexts from an agent: `browser`, `device` and the OS under `os` for browser
    platforms (javascript, cocoa) else under `client_os` (a server SDK's `os` is the server's)."""
    parsed = parse_user_agent(ua)
    out: dict[str, dict[str, str]] = {}
    if parsed.browser:
        ctx = {"name": parsed.browser, "type": "browser"}
        if parsed.browser_version:
            ctx["version"] = parsed.browser_version
        out["browser"] = ctx
    if parsed.os:
        key = "os" if platform in ("javascript", "cocoa") else "client_os"
        ctx = {"name": parsed.os, "type": "os"}
        if parsed.os_version:
            ctx["version"] = parsed.os_version
        out[key] = ctx
    if parsed.device_family:
        ctx = {"family": parsed.device_family, "model": parsed.device_model, "type": "device"}
        if parsed.device_brand:
            ctx["brand"] = parsed.device_brand
        out["device"] = ctx
    return out
