"""Celery worker hooks: every line a task logs carries the task's id and name."""

from __future__ import annotations

from contextvars import Token
from typing import Any

from celery import signals

from phasebook.telemetry.logs import bind, unbind

_bound: dict[str, Token[dict[str, Any]]] = {}


def bind_task_ids(task_id: str, task: Any, **kwargs: Any) -> None:
    _bound[task_id] = bind(task_id=task_id, task=task.name)


def unbind_task_ids(task_id: str, **kwargs: Any) -> None:
    token = _bound.pop(task_id, None)
    if token is not None:
        unbind(token)


def connect() -> None:
    signals.task_prerun.connect(bind_task_ids, weak=False, dispatch_uid="phasebook-log-ids")
    signals.task_postrun.connect(unbind_task_ids, weak=False, dispatch_uid="phasebook-log-ids")
