"""Abuse limits: no single document can ask for unbounded work."""

from __future__ import annotations

from tests.conftest import Api


def _nested(depth: int) -> str:
    """A document whose deepest field lies `depth` selections below its root field:
    plan → predecessor → predecessor → ... → code."""
    inner = "code"
    for _ in range(depth - 1):
        inner = f"predecessor {{ {inner} }}"
    return f'{{ plan(code: "MD-ITPP-2025") {{ {inner} }} }}'


async def test_a_document_deeper_than_the_limit_is_refused(api: Api) -> None:
    allowed = await api.query(_nested(15))
    refused = await api.query(_nested(16))

    assert "errors" not in allowed
    assert "exceeds maximum operation depth of 15" in refused["errors"][0]["message"]


async def test_too_many_aliases_are_refused(api: Api) -> None:
    fields = " ".join(f"a{n}: __typename" for n in range(51))

    body = await api.query(f"{{ {fields} }}")

    assert "aliases" in body["errors"][0]["message"]


async def test_a_document_of_too_many_tokens_is_refused(api: Api) -> None:
    fields = " ".join("__typename" for _ in range(5_001))

    body = await api.query(f"{{ {fields} }}")

    assert "token" in body["errors"][0]["message"].lower()


async def test_introspection_is_not_counted_against_the_depth(api: Api) -> None:
    deep_type = "ofType { " * 10 + "name" + " }" * 10
    body = await api.query(f"{{ __schema {{ types {{ fields {{ type {{ {deep_type} }} }} }} }} }}")

    assert "errors" not in body
