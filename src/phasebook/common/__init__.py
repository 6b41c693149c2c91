"""Small Django-side helpers shared by the apps (no domain logic)."""
