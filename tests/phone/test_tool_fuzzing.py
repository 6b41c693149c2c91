"""Fuzzing the tool endpoints with valid signatures (schemathesis' idea, driven by Hypothesis
from the tools' own JSON Schemas in the manifest): whatever the agent sends, the answer is
200 with `ok`, a spoken `message` and, when not ok, an `error` code; never a 5xx."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from phasebook.phone.manifest import manifest
from tests.support.retell import phone_call

DEFINITIONS = {tool["name"]: tool for tool in manifest("http://testserver/retell/salon-a")}
PHRASES = st.sampled_from(
    [
        "morgen",
        "um 10",
        "halb drei",
        "nächste Woche Mittwoch",
        "3.12.",
        "2026-12-08T10:00",
        "Ansatzfärbung",
        "Herrenhaarschnitt",
        "Anna",
        "egal",
        "vormittags",
        "+4915112345678",
        "paula@example.com",
        "00000000-0000-0000-0000-000000000000",
        "31.2.",
        "99:99",
        "",
    ]
)
JSON_SCALARS = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=60)
)
ANY_JSON = st.recursive(
    JSON_SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)
VALUES = PHRASES | st.text(max_size=80) | ANY_JSON


def _args(tool: str) -> st.SearchStrategy[dict[str, Any]]:
    properties = DEFINITIONS[tool]["parameters"]["properties"]
    return st.fixed_dictionaries(
        {}, optional={name: VALUES for name in properties} | {"unexpected": VALUES}
    )


CALLS = st.one_of(
    st.just(None),
    st.builds(
        lambda number, call_id: phone_call(call_id=call_id, from_number=number),
        st.sampled_from(["+4915112345678", "anonymous", "", "0171 2345678", "+999"]),
        st.sampled_from(["call_fuzz_1", "call_fuzz_2"]),
    ),
    ANY_JSON,
)


@pytest.mark.parametrize("tool", sorted(DEFINITIONS))
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_a_tool_answers_every_signed_request_with_a_spoken_reply(
    retell_salon: SimpleNamespace, tool: str, data: st.DataObject
) -> None:
    args = data.draw(_args(tool) | ANY_JSON, label="args")
    call = data.draw(CALLS, label="call")
    args_only = data.draw(st.booleans(), label="args only")
    body = args if args_only else {"name": tool, "args": args, "call": call}
    response = retell_salon.retell.post(f"functions/{tool}", body)
    assert response.status_code == 200
    reply = response.json()
    assert isinstance(reply["ok"], bool)
    assert isinstance(reply["message"], str)
    assert reply["message"]
    assert reply["ok"] == ("error" not in reply)  # an error code with every refusal, only then
    assert reply.get("error") != "internal_error"  # no exception behind a polite answer


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=st.text(alphabet="abcdefghijklmnopqrstuvwxyz_-0123456789", min_size=1, max_size=40))
def test_an_unknown_tool_name_is_a_spoken_refusal(retell_salon: SimpleNamespace, name: str) -> None:
    response = retell_salon.retell.post(f"functions/{name}", {"name": name, "args": {}})
    assert response.status_code == 200
    if name not in DEFINITIONS:
        assert (response.json()["ok"], response.json()["error"]) == (False, "unknown_tool")
