"""The tool definitions in Retell's custom-tool format (reference §3.1), for
`GET /retell/<slug>/tools.json` and `phasebook retell_tools`: paste them into the agent.

Parameters are JSON Schema made from each tool's argument model, so what the agent is told
and what the endpoint accepts cannot drift apart.
"""

from __future__ import annotations

from typing import Any

from phasebook.phone.tools import TOOLS
from phasebook.phone.tools.base import Tool, ToolArgs

# Filler speech while a slow tool runs.
EXECUTION_MESSAGE = "Einen Moment, ich schaue nach."
TIMEOUT_MS = 10_000


def parameters(args: type[ToolArgs]) -> dict[str, Any]:
    """A plain JSON Schema object: string properties with their German descriptions."""
    properties = {
        name: {"type": "string", "description": field.description or ""}
        for name, field in args.model_fields.items()
    }
    required = [name for name, field in args.model_fields.items() if field.is_required()]
    return {"type": "object", "properties": properties, "required": required}


def tool_definition(tool: Tool, base_url: str) -> dict[str, Any]:
    definition: dict[str, Any] = {
        "type": "custom",
        "name": tool.name,
        "url": f"{base_url}/functions/{tool.name}",
        "method": "POST",
        "description": tool.description,
        "parameters": parameters(tool.args),
        "speak_during_execution": tool.speak_during_execution,
        "speak_after_execution": True,
        "timeout_ms": TIMEOUT_MS,
        "args_at_root": False,
    }
    if tool.speak_during_execution:
        definition |= {
            "execution_message_description": EXECUTION_MESSAGE,
            "execution_message_type": "static_text",
        }
    return definition


def manifest(base_url: str) -> list[dict[str, Any]]:
    """Every tool, `base_url` being the salon's `…/retell/<slug>`."""
    return [tool_definition(tool, base_url.rstrip("/")) for tool in TOOLS.values()]
