"""`list_services`: what the salon offers, with total minutes and whether a service has
processing time (Einwirkzeit), so the agent can say how long a visit takes."""

from __future__ import annotations

from phasebook.phone.language.spoken import spoken_choices
from phasebook.phone.tools.appointments import NoArgs
from phasebook.phone.tools.base import ServiceReply, Tool, ToolCall, ToolReply
from phasebook.salons.models import Service
from phasebook.salons.tenancy import of_company


def list_services(call: ToolCall, args: NoArgs) -> ToolReply:
    services = of_company(Service.objects, call.company).filter(is_active=True).order_by("name")
    replies = [
        ServiceReply(
            name=service.name,
            total_minutes=service.duration_minutes,
            has_processing_time=any(not segment.staff_required for segment in service.segment_list),
        )
        for service in services
    ]
    spoken = [f"{reply.name} ({reply.total_minutes} Minuten)" for reply in replies]
    return ToolReply(
        ok=True,
        services=replies,
        message=f"Wir bieten an: {spoken_choices(spoken, 'und')}."
        if replies
        else "Derzeit bieten wir keine Termine an.",
    )


TOOL = Tool(
    name="list_services",
    description="Nennt die Leistungen des Salons mit Gesamtdauer und ob es Einwirkzeit gibt.",
    args=NoArgs,
    run=list_services,
)
