"""What keeps phasebook safe at its edges: the admin's login lockout page, which outbound
addresses a salon may point phasebook at, and the limits on request bodies."""
