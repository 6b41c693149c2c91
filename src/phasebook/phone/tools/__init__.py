"""The phone agent's tools (Retell custom functions), one POST each at
`/retell/<slug>/functions/<name>`: `list_services`, `check_availability`,
`book_appointment`, `get_customer_appointments`, `cancel_appointment`,
`reschedule_appointment`. `dispatch.run_tool` runs one; `manifest.py` describes them all.
"""

from __future__ import annotations

from phasebook.phone.tools import appointments, availability, booking, catalogue
from phasebook.phone.tools.base import Tool

TOOLS: dict[str, Tool] = {
    tool.name: tool
    for tool in (
        catalogue.TOOL,
        availability.TOOL,
        booking.TOOL,
        appointments.APPOINTMENTS,
        appointments.CANCEL,
        appointments.RESCHEDULE,
    )
}
