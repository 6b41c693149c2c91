"""The tool manifest (tools.json, `phasebook retell_tools`) in Retell's custom-tool format:
every tool in it is routed, and every routed tool is in it."""

from __future__ import annotations

import json
from io import StringIO
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import Resolver404, resolve

from phasebook.phone import views
from phasebook.phone.tools import TOOLS
from phasebook.telemetry.metrics import PHONE_TOOL_SECONDS
from tests.support.retell import phone_call

FIXED_TOOLS = {
    "list_services",
    "check_availability",
    "book_appointment",
    "get_customer_appointments",
    "cancel_appointment",
    "reschedule_appointment",
}


def _manifest(salon: SimpleNamespace) -> list[dict[str, Any]]:
    response = Client().get(f"/retell/{salon.company.slug}/tools.json")
    assert response.status_code == 200
    return list(response.json())


def test_the_manifest_has_exactly_the_tools_of_the_issue(salon: SimpleNamespace) -> None:
    assert {tool["name"] for tool in _manifest(salon)} == FIXED_TOOLS == set(TOOLS)


def test_every_tool_in_the_manifest_is_routed_to_its_function(salon: SimpleNamespace) -> None:
    for tool in _manifest(salon):
        path = tool["url"].removeprefix("http://testserver")
        match = resolve(path)
        assert match.func is views.function
        assert match.kwargs == {"company_slug": salon.company.slug, "tool_name": tool["name"]}


def test_every_routed_tool_is_in_the_manifest(
    retell_salon: SimpleNamespace,
) -> None:
    """A tool name is routed when its function answers anything but `unknown_tool`."""
    listed = {tool["name"] for tool in _manifest(retell_salon)}
    for name in [*FIXED_TOOLS, "request_callback", "delete_booking", "check_customer"]:
        reply = retell_salon.retell.tool(name, {}).json()
        assert (reply.get("error") != "unknown_tool") == (name in listed), name


def test_each_definition_is_a_retell_custom_tool(salon: SimpleNamespace) -> None:
    for tool in _manifest(salon):
        assert tool["type"] == "custom"
        assert tool["method"] == "POST"
        assert tool["description"]
        parameters = tool["parameters"]
        assert parameters["type"] == "object"
        assert set(parameters["required"]) <= set(parameters["properties"])
        assert all(
            prop["type"] == "string" and prop["description"]
            for prop in parameters["properties"].values()
        )
        assert isinstance(tool["speak_during_execution"], bool)
    by_name = {tool["name"]: tool for tool in _manifest(salon)}
    assert by_name["check_availability"]["parameters"]["required"] == ["service", "date"]
    assert set(by_name["check_availability"]["parameters"]["properties"]) == {
        "service",
        "date",
        "time",
        "staff",
    }
    assert set(by_name["book_appointment"]["parameters"]["properties"]) == {
        "hold_id",
        "service",
        "date",
        "time",
        "staff",
        "customer_name",
        "customer_phone",
        "customer_email",
    }
    assert set(by_name["cancel_appointment"]["parameters"]["properties"]) == {
        "appointment_id",
        "date",
    }
    assert set(by_name["reschedule_appointment"]["parameters"]["properties"]) == {
        "appointment_id",
        "date",
        "time",
    }
    assert by_name["book_appointment"]["speak_during_execution"] is True


def test_an_unknown_salon_has_no_manifest(db: None) -> None:
    assert Client().get("/retell/nope/tools.json").status_code == 404


def test_the_command_prints_the_same_manifest_for_a_base_url(salon: SimpleNamespace) -> None:
    out = StringIO()
    call_command(
        "retell_tools", company=salon.company.slug, base_url="https://salon.example", stdout=out
    )
    printed = json.loads(out.getvalue())
    assert [tool["url"] for tool in printed] == [
        f"https://salon.example/retell/{salon.company.slug}/functions/{tool['name']}"
        for tool in _manifest(salon)
    ]
    with pytest.raises(CommandError):
        call_command("retell_tools", company="nope")


def test_unknown_paths_below_functions_are_not_routed() -> None:
    with pytest.raises(Resolver404):
        resolve("/retell/salon-a/functions/")


def test_each_tool_call_is_timed_for_its_tool(retell_salon: SimpleNamespace) -> None:
    def observed() -> float:
        return sum(
            sample.value
            for metric in PHONE_TOOL_SECONDS.collect()
            for sample in metric.samples
            if sample.name.endswith("_count") and sample.labels["tool"] == "list_services"
        )

    before = observed()
    retell_salon.retell.tool("list_services", {}, phone_call())
    assert observed() == before + 1
