"""What every screen of a running console shares: the store, policy, clock, language, clerk."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from deskapp.clock import Clock
from deskapp.i18n import Translator
from deskapp.policy import Policy

if TYPE_CHECKING:
    from deskapp.store.engine import Store
    from deskapp.services.auth import SignedIn
    from deskapp.standards.catalogue import Catalogue


@dataclass
class Context:
    store: Store | None  # None only in the catalogue preview, which reads no records
    policy: Policy
    clock: Clock
    t: Translator
    catalogue: Catalogue | None = None
    clerk: SignedIn | None = field(default=None)

    def __post_init__(self) -> None:
        self.t.zone = self.policy.timezone  # times in messages ("changed by X at T") as the site tells them

    @property
    def lang(self) -> str:
        return self.t.lang
