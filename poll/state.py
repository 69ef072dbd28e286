"""The application's state, typed: what the lifespan opens and every view and socket uses.

The lifespan (poll.app) makes one `AppState` and hands it to Starlette under the key "poll";
views and sockets reach it with `app_state(request)`, never through untyped attributes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .broadcast import Watchdog
from .config import Settings
from .limits import Limits
from .live import Hub
from .opinion.worker import OpinionWorker
from .store import Store
from .urls import Addresses
from .web.first_visit import FirstVisits
from .web.participants import ParticipantCookies

STATE_KEY = "poll"


@dataclass(frozen=True, slots=True)
class AppState:
    settings: Settings
    store: Store
    hub: Hub
    limits: Limits
    urls: Addresses  # every address the app hands out (links, QR code), from the route table
    watchdog: Watchdog  # drops connections whose socket stalls
    participants: ParticipantCookies  # the phones' signed participant cookie
    worker: OpinionWorker  # computes the opinion maps, in its own process
    first_visits: FirstVisits  # the vote page of a phone's first visit, rendered once per state


def app_state(scope: Mapping[str, Any]) -> AppState:
    """The state of the app serving this ASGI scope (a request's or websocket's `scope`)."""
    state = scope["state"][STATE_KEY]
    assert isinstance(state, AppState), "the lifespan has not run"
    return state
