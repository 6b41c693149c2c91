"""Retell's payloads as phasebook reads them (reference §1–3). Unknown fields are ignored:
Retell adds fields over time, and a new one must not make us refuse its calls."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field


def storable(text: str) -> str:
    """Without NUL and lone surrogates, which PostgreSQL cannot store (JSON can say both)."""
    return "".join(char for char in text if char != "\x00" and not "\ud800" <= char <= "\udfff")


Text = Annotated[str, AfterValidator(storable)]


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore")


class RetellCallAnalysis(_Lenient):
    call_summary: Text | None = None
    user_sentiment: Text | None = Field(default=None, max_length=16)
    call_successful: bool | None = None


class RetellCall(_Lenient):
    """The call object of webhooks and tool requests. Web calls have no numbers, and a
    withheld caller id arrives as "anonymous"."""

    call_id: Text = Field(min_length=1, max_length=128)
    agent_id: Text | None = Field(default=None, max_length=100)
    call_type: Text | None = Field(default=None, max_length=20)
    direction: Text | None = Field(default=None, max_length=10)
    from_number: Text | None = Field(default=None, max_length=40)
    to_number: Text | None = Field(default=None, max_length=40)
    call_status: Text | None = Field(default=None, max_length=20)
    start_timestamp: int | None = Field(default=None, ge=0, lt=10**14)
    end_timestamp: int | None = Field(default=None, ge=0, lt=10**14)
    duration_ms: int | None = Field(default=None, ge=0, lt=10**12)
    disconnection_reason: Text | None = Field(default=None, max_length=64)
    transcript: Text | None = None
    recording_url: Text | None = Field(default=None, max_length=2000)
    opt_out_sensitive_data_storage: bool = False
    call_analysis: RetellCallAnalysis | None = None


class RetellInboundCall(_Lenient):
    from_number: Text | None = Field(default=None, max_length=40)
    to_number: Text | None = Field(default=None, max_length=40)
    agent_id: Text | None = Field(default=None, max_length=100)
    call_id: Text | None = Field(default=None, max_length=128)


class RetellInbound(_Lenient):
    event: str = Field(default="call_inbound", max_length=64)
    call_inbound: RetellInboundCall
