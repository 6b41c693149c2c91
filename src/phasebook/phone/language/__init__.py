"""German as callers speak it, for the phone agent: pure Python, no Django, no I/O.

- `words`: folding ("Übermorgen" -> "uebermorgen"), number and ordinal words, names of
  weekdays and months.
- `clock`: times of day ("um halb drei", "viertel vor elf", "15 Uhr 30") and parts of the
  day ("vormittags").
- `dates`: days ("morgen", "am Freitag", "nächste Woche Mittwoch", "3.12.").
- `resolve`: both together, in the salon's zone and against its hours: a `Resolved`
  request, or a `Question` to ask the caller (never a guess).
- `spoken`: instants as German to be read aloud ("Dienstag, der 8. Dezember, um 10 Uhr 30").
- `matching`: service and stylist names, tolerant of spelling (rapidfuzz).
"""
