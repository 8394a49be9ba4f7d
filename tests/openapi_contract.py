"""Contract checks against Sentry's OpenAPI document (`../shared/sentry-openapi/...derefed.json`).

Used by the demo server's response tests and by the client layer's request tests:

- `find_operation(method, url)` matches a concrete URL (`/api/0/organizations/acme/issues/12/`) to
  the schema's path template and operation;
- `check_response(method, url, status, body)` validates a response body against the operation's
  response schema with `required` relaxed (the schema over-declares it; real Sentry omits many
  fields), and reports separately which schema-listed fields the body leaves out, so a test can
  compare them with a documented allow-list;
- `check_request(method, url, json_body=None)` reports problems with a request: unknown path or
  method, query parameter names the operation does not declare, values outside a declared enum or
  type, and request-body type errors;
- `route_operations(app.routes)` lists the schema operations a Starlette app serves (coverage);
- `ContractCheckingApp(app)` wraps an ASGI app and checks every schema-route answer it gives, for
  traffic a test does not shape itself (e.g. the official sentry-cli's).

The document is 3.9 MB; it is parsed once per process.
"""

from __future__ import annotations

import copy
import functools
import json
import os
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import jsonschema

REPO = Path(__file__).resolve().parent.parent
#: Where the schema lives beside a clean clone; `DEXTER_OPENAPI` overrides it.
SCHEMA_PATH = REPO.parent / "shared" / "sentry-openapi" / "openapi-derefed.json"

METHODS = ("get", "put", "post", "delete", "patch")
#: Query parameters the schema declares as scalars that Sentry reads as lists
#: (`request.GET.getlist("id")` on the bulk issue routes; sentry-cli sends `?id=1&id=2`).
REPEATABLE_SCALARS = frozenset({"id"})
_PARAM = re.compile(r"\{([^}/]+)\}")


def schema_path() -> Path:
    return Path(os.environ.get("DEXTER_OPENAPI", SCHEMA_PATH))


@functools.cache
def load_schema() -> dict[str, Any]:
    """The parsed OpenAPI document (cached for the process)."""
    with schema_path().open("rb") as f:
        return json.load(f)


# -- path matching ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Template:
    template: str
    regex: re.Pattern[str]
    literals: int  # literal segments: more literals = more specific


def _normalise(path: str) -> str:
    """Path without host, query and trailing slash (Sentry routes all end in `/` but a few)."""
    path = urlsplit(path).path or "/"
    return path.rstrip("/") or "/"


def _compile(template: str) -> _Template:
    norm = _normalise(template)
    pattern = ""
    last = 0
    for m in _PARAM.finditer(norm):
        pattern += re.escape(norm[last : m.start()]) + f"(?P<{m.group(1)}>[^/]+)"
        last = m.end()
    pattern += re.escape(norm[last:])
    literals = sum(1 for seg in norm.split("/") if seg and not _PARAM.fullmatch(seg))
    return _Template(template, re.compile(pattern + r"\Z"), literals)


@functools.cache
def _templates() -> tuple[_Template, ...]:
    return tuple(_compile(t) for t in load_schema()["paths"])


def match_path(url: str) -> tuple[str, dict[str, str]] | None:
    """The schema path template a concrete URL or path matches, with its path parameters.

    When several templates match (`.../snapshots/latest-base/` and `.../snapshots/{id}/`), the one
    with the most literal segments wins, like a router that lists literal routes first.
    """
    path = _normalise(url)
    best: tuple[int, _Template, re.Match[str]] | None = None
    for t in _templates():
        m = t.regex.match(path)
        if m and (best is None or t.literals > best[0]):
            best = (t.literals, t, m)
    if best is None:
        return None
    return best[1].template, best[2].groupdict()


def template_for_route(route_path: str) -> str | None:
    """The schema template a server route pattern (`/api/0/organizations/{org}/issues/`) serves.

    Route parameters (with or without Starlette convertors, `{id:int}`) become placeholders, so a
    route matches whichever schema template its shape matches, whatever its parameter names. A
    literal route segment may land on a schema parameter (`/events/latest/` is served by
    `/events/{event_id}/`).
    """
    found = match_path(re.sub(r"\{[^}]+\}", "__param__", route_path))
    return None if found is None else found[0]


def route_operations(routes: Any, prefix: str = "") -> set[tuple[str, str]]:
    """`(METHOD, schema template)` of every server route that the schema documents.

    Walks Starlette-like routes (`.path`, `.methods`, `Mount.routes`) without importing Starlette;
    HEAD (added by Starlette to every GET) is left out.
    """
    found: set[tuple[str, str]] = set()
    for route in routes:
        path = prefix + getattr(route, "path", "")
        children = getattr(route, "routes", None)
        if children is not None and getattr(route, "methods", None) is None:
            found |= route_operations(children, path)
            continue
        template = template_for_route(path)
        if template is None:
            continue
        spec = load_schema()["paths"][template]
        for method in getattr(route, "methods", None) or ():
            if method.lower() in spec:
                found.add((method.upper(), template))
    return found


# -- operations ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Operation:
    """One (method, path template) of the schema."""

    method: str  # lower case
    template: str
    spec: dict[str, Any] = field(repr=False, hash=False, compare=False)

    @property
    def key(self) -> str:
        return f"{self.method.upper()} {self.template}"

    @property
    def statuses(self) -> list[str]:
        return list(self.spec.get("responses", {}))

    def parameters(self, where: str) -> dict[str, dict[str, Any]]:
        return {p["name"]: p for p in self.spec.get("parameters", []) if p.get("in") == where}

    def response_schema(self, status: int | str) -> dict[str, Any] | None:
        """The JSON Schema (converted, `required` relaxed) of a response body, if documented."""
        raw = self.raw_response_schema(status)
        return None if raw is None else to_json_schema(raw)

    def raw_response_schema(self, status: int | str) -> dict[str, Any] | None:
        response = self.spec.get("responses", {}).get(str(status))
        if response is None:
            return None
        content = response.get("content", {}).get("application/json")
        return None if content is None else content.get("schema")

    def examples(self, status: int | str = 200) -> list[Any]:
        """The documented example bodies of a response (`example` and `examples.*.value`)."""
        response = self.spec.get("responses", {}).get(str(status), {})
        content = response.get("content", {}).get("application/json", {})
        found = []
        if "example" in content:
            found.append(content["example"])
        found.extend(e["value"] for e in content.get("examples", {}).values() if "value" in e)
        return found

    def request_body_schema(self) -> dict[str, Any] | None:
        content = self.spec.get("requestBody", {}).get("content", {}).get("application/json")
        return None if content is None else content.get("schema")


def operations() -> list[Operation]:
    """Every operation of the schema."""
    return [
        Operation(method, template, spec)
        for template, item in load_schema()["paths"].items()
        for method, spec in item.items()
        if method in METHODS
    ]


def find_operation(method: str, url: str) -> Operation | None:
    """The operation serving `method url`; None when the path or method is not in the schema."""
    found = match_path(url)
    if found is None:
        return None
    template = found[0]
    spec = load_schema()["paths"][template].get(method.lower())
    return None if spec is None else Operation(method.lower(), template, spec)


# -- OpenAPI 3.0 schema -> JSON Schema ----------------------------------------------------------


def to_json_schema(schema: Any, *, relax_required: bool = True) -> Any:
    """Convert an OpenAPI 3.0 schema object to JSON Schema (draft 2020-12).

    `nullable: true` becomes a `null` type (and a `null` enum member); with `relax_required`, every
    `required` list is dropped. Everything else used by Sentry's document (`type`, `properties`,
    `items`, `additionalProperties`, `enum`, `anyOf`, `oneOf`, `format`, lengths) means the same in
    both dialects.
    """
    if isinstance(schema, list):
        return [to_json_schema(s, relax_required=relax_required) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in ("nullable", "example", "examples", "description", "discriminator"):
            continue
        if key == "required" and relax_required:
            continue
        if key == "properties":
            out[key] = {
                name: to_json_schema(sub, relax_required=relax_required)
                for name, sub in value.items()
            }
        elif key == "oneOf" and relax_required:
            # Without `required`, branches stop being exclusive: any fitting branch will do.
            out["anyOf"] = to_json_schema(value, relax_required=relax_required)
        elif key in ("items", "additionalProperties", "not", "anyOf", "oneOf", "allOf"):
            out[key] = to_json_schema(value, relax_required=relax_required)
        else:
            out[key] = copy.deepcopy(value)
    if schema.get("nullable"):
        if "type" in out:
            types = out["type"] if isinstance(out["type"], list) else [out["type"]]
            out["type"] = [*types, "null"] if "null" not in types else types
        if "enum" in out and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]
        for combinator in ("anyOf", "oneOf"):
            if combinator in out:
                out[combinator] = [*out[combinator], {"type": "null"}]
        if "allOf" in out:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


_FORMATS = jsonschema.FormatChecker(formats=())


@_FORMATS.checks("date-time", raises=ValueError)
def _is_datetime(value: object) -> bool:
    """RFC 3339 date-time: a date, `T`, a time and an offset or `Z` (what Sentry sends)."""
    if not isinstance(value, str):
        return True
    if not re.fullmatch(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", value, flags=re.IGNORECASE
    ):
        raise ValueError(f"{value!r} is not an RFC 3339 date-time")
    datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    return True


def validation_errors(schema: dict[str, Any], instance: Any) -> list[str]:
    """Type / enum / format errors of `instance` against a converted schema, as readable lines."""
    return _errors(jsonschema.Draft202012Validator(schema, format_checker=_FORMATS), instance)


def _errors(validator: jsonschema.Draft202012Validator, instance: Any) -> list[str]:
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
    return [f"{_pointer(e.absolute_path)}: {_short(e)}" for e in errors]


@functools.cache
def _response_validator(method: str, template: str, status: str) -> jsonschema.Draft202012Validator:
    """The (converted, relaxed) response validator of an operation, built once per process."""
    spec = load_schema()["paths"][template][method]
    raw = Operation(method, template, spec).raw_response_schema(status)
    return jsonschema.Draft202012Validator(to_json_schema(raw), format_checker=_FORMATS)


def _pointer(path: Any) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text or "(body)"


def _short(error: jsonschema.ValidationError) -> str:
    message = error.message
    return message if len(message) <= 300 else message[:300] + "…"


# -- omitted fields -----------------------------------------------------------------------------


def omitted_fields(raw_schema: Any, instance: Any, prefix: str = "") -> set[str]:
    """Fields the (raw, unrelaxed) schema lists as `required` that `instance` does not carry.

    Paths look like `[].project.platform` (`[]` = any array item, `{}` = any map value), so the
    same omission in every item of a list is reported once.
    """
    found: set[str] = set()
    _omitted(raw_schema, instance, prefix, found)
    return found


def _omitted(schema: Any, instance: Any, prefix: str, found: set[str]) -> None:
    if not isinstance(schema, dict) or instance is None:
        return
    for combinator in ("anyOf", "oneOf"):
        if combinator in schema:
            branch = _best_branch(schema[combinator], instance, prefix)
            if branch is not None:
                found |= branch
            return
    if isinstance(instance, dict):
        properties = schema.get("properties", {})
        for name in schema.get("required", []):
            if name not in instance:
                found.add(f"{prefix}.{name}")
        for name, value in instance.items():
            if name in properties:
                _omitted(properties[name], value, f"{prefix}.{name}", found)
            elif isinstance(schema.get("additionalProperties"), dict):
                _omitted(schema["additionalProperties"], value, f"{prefix}.{{}}", found)
    elif isinstance(instance, list) and isinstance(schema.get("items"), dict):
        for item in instance:
            _omitted(schema["items"], item, f"{prefix}[]", found)


def _best_branch(branches: list[Any], instance: Any, prefix: str) -> set[str] | None:
    """Omissions against the branch the instance fits (by type) with the fewest omissions."""
    best: set[str] | None = None
    for branch in branches:
        if validation_errors(to_json_schema(branch), instance):
            continue
        missing = omitted_fields(branch, instance, prefix)
        if best is None or len(missing) < len(best):
            best = missing
    return best


# -- responses ----------------------------------------------------------------------------------


@dataclass
class ResponseCheck:
    """Outcome of checking one response against the schema."""

    operation: Operation | None
    problems: list[str]  # contract violations: unknown route/status, wrong types, bad JSON
    omitted: set[str]  # schema-listed fields the body leaves out (compare with an allow-list)


def check_response(method: str, url: str, status: int, body: Any) -> ResponseCheck:
    """Validate a decoded JSON response body against the operation's schema for `status`.

    A status the operation does not document is a problem; a documented status without a body
    schema (Sentry documents most errors by description only) is accepted as is.
    """
    op = find_operation(method, url)
    if op is None:
        return ResponseCheck(
            None, [f"{method.upper()} {_normalise(url)}/ is not in the schema"], set()
        )
    if str(status) not in op.statuses:
        return ResponseCheck(
            op, [f"{op.key}: status {status} is not documented ({op.statuses})"], set()
        )
    raw = op.raw_response_schema(status)
    if raw is None:
        return ResponseCheck(op, [], set())
    validator = _response_validator(op.method, op.template, str(status))
    problems = [f"{op.key} {status}{line}" for line in _errors(validator, body)]
    return ResponseCheck(op, problems, omitted_fields(raw, body))


# -- requests -----------------------------------------------------------------------------------


def check_request(method: str, url: str, json_body: Any = None) -> list[str]:
    """Problems with a request the client would send; an empty list means it fits the schema.

    Checks: the path and method exist; every query parameter name is declared by the operation;
    values of declared parameters fit their type/enum (array parameters may repeat); required query
    parameters are present; a JSON body has the right field types (required relaxed: Sentry treats
    its update bodies as partial).
    """
    op = find_operation(method, url)
    if op is None:
        if match_path(url) is None:
            return [f"path {_normalise(url)}/ is not in the schema"]
        return [f"{method.upper()} is not an operation of {match_path(url)[0]}"]  # type: ignore[index]
    problems: list[str] = []
    declared = op.parameters("query")
    query = parse_qsl(urlsplit(url).query, keep_blank_values=True)
    seen: dict[str, int] = {}
    for name, value in query:
        seen[name] = seen.get(name, 0) + 1
        param = declared.get(name)
        if param is None:
            problems.append(f"{op.key}: query parameter {name!r} is not declared")
            continue
        problems.extend(f"{op.key}: {line}" for line in _check_value(name, value, param))
    for name, count in seen.items():
        param = declared.get(name)
        if name in REPEATABLE_SCALARS:
            continue
        if param and count > 1 and param.get("schema", {}).get("type") != "array":
            problems.append(f"{op.key}: query parameter {name!r} repeated but not an array")
    for name, param in declared.items():
        if param.get("required") and name not in seen:
            problems.append(f"{op.key}: required query parameter {name!r} missing")
    if json_body is not None:
        schema = op.request_body_schema()
        if schema is None:
            problems.append(f"{op.key}: the operation takes no JSON body")
        else:
            problems.extend(
                f"{op.key} body{line}"
                for line in validation_errors(to_json_schema(schema), json_body)
            )
    return problems


def _check_value(name: str, value: str, param: dict[str, Any]) -> list[str]:
    schema = param.get("schema", {})
    if schema.get("type") == "array":
        schema = schema.get("items", {})
    kind = schema.get("type")
    try:
        if kind == "integer":
            int(value)
        elif kind == "number":
            float(value)
    except ValueError:
        return [f"query parameter {name}={value!r} is not a {kind}"]
    if kind == "boolean" and value.lower() not in ("true", "false", "1", "0"):
        return [f"query parameter {name}={value!r} is not a boolean"]
    enum = schema.get("enum")
    if enum and value not in [str(e) for e in enum if e is not None]:
        return [f"query parameter {name}={value!r} not in {enum}"]
    return []


# -- passive checking of a running server -------------------------------------------------------


class ContractCheckingApp:
    """ASGI wrapper that checks every `/api/0/` JSON answer of the wrapped app against the schema.

    For traffic the tests do not shape themselves (e.g. what sentry-cli asks for): bodies of
    documented statuses must fit their schema (types and names). Error statuses the schema leaves
    undocumented (Sentry's 404 on the legacy project issue list, injected 5xx faults) are not
    flagged here; the per-route tests cover statuses. `problems` collects what was found.
    """

    def __init__(self, app: Any):
        self.app = app
        self.problems: list[str] = []
        self.checked: list[str] = []

    def __getattr__(self, name: str) -> Any:
        """Everything else (`routes`, `state`, …) is the wrapped app's: it can stand in for it."""
        if name == "app":  # not set yet (during unpickling / before __init__)
            raise AttributeError(name)
        return getattr(self.app, name)

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/0/"):
            await self.app(scope, receive, send)
            return
        status = 0
        chunks: list[bytes] = []

        async def capture(message: dict) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        await self.app(scope, receive, capture)
        query = scope.get("query_string", b"").decode("latin-1")
        url = scope["path"] + (f"?{query}" if query else "")
        self._check(scope["method"], url, status, b"".join(chunks))

    def _check(self, method: str, url: str, status: int, raw: bytes) -> None:
        op = find_operation(method, url)
        if op is None or str(status) not in op.statuses:
            return
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            self.problems.append(f"{method} {url}: {status} body is not JSON")
            return
        self.checked.append(f"{method} {url} {status}")
        self.problems.extend(
            f"{method} {url}: {p}" for p in check_response(method, url, status, body).problems
        )
