"""The API's reference page, drawn from its own OpenAPI schema in the site's layout.

Swagger UI (a script application) failed the accessibility bar the site holds every page to
(nested controls, contrast, small targets), so the same schema is shown as plain HTML: one
section per operation with its parameters, the body it takes, and what it answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from drf_spectacular.generators import SchemaGenerator

METHODS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True)
class Field:
    name: str
    kind: str
    required: bool
    about: str = ""


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    summary: str
    description: str
    parameters: list[Field] = field(default_factory=list)
    body: list[Field] = field(default_factory=list)
    body_name: str = ""
    answers: list[tuple[str, str]] = field(default_factory=list)  # (status, what it means)
    answer_name: str = ""


def _kind(schema: dict, components: dict) -> str:
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "allOf" in schema:
        return " & ".join(_kind(part, components) for part in schema["allOf"])
    if schema.get("type") == "array":
        return f"list of {_kind(schema.get('items', {}), components)}"
    if "enum" in schema:
        return "one of " + ", ".join(str(v) for v in schema["enum"])
    kind = schema.get("type", "object")
    return f"{kind} ({schema['format']})" if schema.get("format") else kind


def _component_fields(name: str, components: dict) -> list[Field]:
    schema = components.get(name, {})
    required = set(schema.get("required", []))
    return [
        Field(name=prop, kind=_kind(spec, components), required=prop in required, about=spec.get("description", ""))
        for prop, spec in schema.get("properties", {}).items()
    ]


def _json_schema(content: dict) -> dict:
    return content.get("application/json", {}).get("schema", {})


@lru_cache(maxsize=1)
def api_reference() -> tuple[dict, list[Operation]]:
    """The schema's info and its operations by path; built once per process (the schema is code)."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema.get("components", {}).get("schemas", {})
    operations = []
    for path, item in schema.get("paths", {}).items():
        for method in METHODS:
            spec = item.get(method)
            if spec is None:
                continue
            body = _json_schema(spec.get("requestBody", {}).get("content", {}))
            body_name = _kind(body, components) if body else ""
            ok = next((code for code in spec.get("responses", {}) if code.startswith("2")), None)
            answer = _json_schema(spec["responses"][ok].get("content", {})) if ok else {}
            operations.append(
                Operation(
                    method=method.upper(),
                    path=path,
                    summary=spec.get("summary", ""),
                    description=spec.get("description", ""),
                    parameters=[
                        Field(
                            name=f"{p['name']} ({p['in']})",
                            kind=_kind(p.get("schema", {}), components),
                            required=p.get("required", False),
                            about=p.get("description", ""),
                        )
                        for p in spec.get("parameters", [])
                    ],
                    body=_component_fields(body_name, components) if "$ref" in body else [],
                    body_name=body_name,
                    answers=[(code, r.get("description", "")) for code, r in spec.get("responses", {}).items()],
                    answer_name=_kind(answer, components) if answer else "",
                )
            )
    return schema.get("info", {}), operations
