"""The scheduling core: pure Python, no Django, no I/O.

It turns plain values (segments, opening and working hours, busy intervals) into
phases, bookability verdicts with reasons, and free slots. Every caller — the API,
the admin, the phone agent, the booking service — uses these same functions, so the
check path and the booking path cannot disagree.
"""
