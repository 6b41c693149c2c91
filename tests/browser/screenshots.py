"""Screenshots of what a person sees, in light mode, dark mode and at phone width."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings

SCREENSHOTS = Path(settings.DATA_DIR) / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def look(tab: Any, name: str) -> None:
    """Screenshots of the current page in light mode, dark mode and at phone width; fails
    when the phone width scrolls sideways."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tab.emulate_media(color_scheme="light")
    tab.screenshot(path=SCREENSHOTS / f"{name}-light.png", full_page=True)
    tab.emulate_media(color_scheme="dark")
    tab.reload()  # unfold picks its theme from the system's scheme when the page loads
    tab.screenshot(path=SCREENSHOTS / f"{name}-dark.png", full_page=True)
    tab.emulate_media(color_scheme="light")
    tab.reload()
    tab.set_viewport_size(PHONE)
    try:
        tab.screenshot(path=SCREENSHOTS / f"{name}-390x844.png", full_page=True)
        width = tab.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{name}: {width}px wide at {PHONE['width']}px"
    finally:
        tab.set_viewport_size(DESKTOP)
