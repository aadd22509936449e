"""The value types the :class:`~timeline.dataset.relationship.RelationshipState`
is made of: one frozen attrs class per facet (the treaty, the troops, arms,
technology, ...) and the small records they hold.  The handlers that build
them are in :mod:`timeline.dataset.relationship`; the estimate series in
:mod:`timeline.dataset._figures`."""

from __future__ import annotations

import enum
from typing import Literal

import attrs

from timeline import UncertainDate
from timeline.dataset._figures import Figure, Spread, spreads
from timeline.dataset.events import Estimate, LaunchOutcome, RussianSystems

__all__ = [
    "Aid",
    "Alignment",
    "Announcement",
    "Arms",
    "Assessment",
    "Backing",
    "Episode",
    "Exercise",
    "Figure",
    "Note",
    "Personnel",
    "Ratification",
    "Report",
    "Response",
    "Stage",
    "Stance",
    "Summit",
    "Technology",
    "Treaty",
    "TreatyStatus",
    "War",
    "Warship",
]

TreatyStatus = Literal["none", "signed", "in_force"]


class Stage(enum.StrEnum):
    """How far the cooperation has gone, from the facts of a state.

    The stages are ordered; a state is at the highest stage whose condition
    holds (:attr:`RelationshipState.stage`).  Every condition only ever
    becomes true as facts accumulate, so the stage never moves backwards.
    Troops sent without a treaty in force rank below an alliance in force:
    on a day the treaty is in force and the troops have not yet fought, the
    stage is ``alliance`` whether or not troops are there.
    """

    NONE = "none"  # no cooperation recorded
    RAPPROCHEMENT = "rapprochement"  # summits, stated positions, backing
    ARMS_TRADE = "arms_trade"  # arms to Russia, technology or aid to NK
    TREATY_SIGNED = "treaty_signed"  # the partnership treaty is signed
    TROOPS_DEPLOYED = "troops_deployed"  # North Korean troops in Russia
    ALLIANCE = "alliance"  # the treaty (with its defence clause) is in force
    CO_BELLIGERENCE = "co_belligerence"  # North Korean troops have fought

    @property
    def rank(self) -> int:
        return list(Stage).index(self)


@attrs.frozen(kw_only=True)
class Episode:
    """An episode of the war (an incursion, an offensive), by whom and where."""

    name: str
    date: UncertainDate
    initiator: str | None = None
    place: str | None = None


@attrs.frozen(kw_only=True)
class War:
    """The war that set the cooperation going: when it began (the earliest
    date of a ``war.began`` event) and its episodes."""

    began: UncertainDate | None = None
    episodes: tuple[Episode, ...] = ()


@attrs.frozen(kw_only=True)
class Summit:
    date: UncertainDate
    place: str
    leaders: tuple[str, ...]


@attrs.frozen(kw_only=True)
class Ratification:
    party: str
    body: str
    date: UncertainDate


@attrs.frozen(kw_only=True)
class Treaty:
    """The treaty: ``status`` never moves backwards; ``mutual_defense`` is
    True once a signed text is known to contain the mutual-assistance
    clause (``article`` names it)."""

    name: str | None = None
    status: TreatyStatus = "none"
    signed: UncertainDate | None = None
    in_force: UncertainDate | None = None
    mutual_defense: bool = False
    article: str | None = None
    ratifications: tuple[Ratification, ...] = ()


def _ranges(figures: tuple[Figure, ...]) -> tuple[Spread, ...]:
    return spreads(figures)


@attrs.frozen(kw_only=True)
class Personnel:
    """People sent to Russia: ``kind`` is ``"troops"`` (combat troops and
    special forces) or a :class:`~timeline.dataset.events.PersonnelKind`
    value.  ``fought`` is True once a source says they fought.
    ``estimates`` holds each author's current figure of each measure."""

    kind: str
    deployed: bool = False
    since: UncertainDate | None = None
    fought: bool = False
    destinations: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    estimates: tuple[Figure, ...] = ()

    @property
    def ranges(self) -> tuple[Spread, ...]:
        """Per measure, the range of the current estimates across authors."""
        return _ranges(self.estimates)


@attrs.frozen(kw_only=True)
class Announcement:
    """A statement that people *will* be sent (not a deployment)."""

    announcer: str
    kind: str
    date: UncertainDate
    count: Estimate | None = None
    destination: str | None = None
    roles: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class Arms:
    """Arms to Russia: the items named, those reported used in combat, and
    each author's current figure of each measure."""

    items: tuple[str, ...] = ()
    used_in_combat: tuple[str, ...] = ()
    estimates: tuple[Figure, ...] = ()

    @property
    def ranges(self) -> tuple[Spread, ...]:
        """Per measure, the range of the current estimates across authors."""
        return _ranges(self.estimates)


@attrs.frozen(kw_only=True)
class Technology:
    """Technology to North Korea: ``domains`` stated as fact by a source,
    ``assessed`` only assessed or suspected (and not stated as fact)."""

    domains: tuple[str, ...] = ()
    assessed: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class Aid:
    """Material aid to North Korea (``estimates``: each author's current
    figure), and the diplomatic ``backing`` Russia gave North Korea."""

    kinds: tuple[str, ...] = ()
    estimates: tuple[Figure, ...] = ()
    backing: tuple[str, ...] = ()

    @property
    def ranges(self) -> tuple[Spread, ...]:
        """Per measure, the range of the current estimates across authors."""
        return _ranges(self.estimates)


@attrs.frozen(kw_only=True)
class Backing:
    """One party shielding the other diplomatically (either way)."""

    provider: str
    beneficiary: str
    action: str
    date: UncertainDate


@attrs.frozen(kw_only=True)
class Warship:
    """A warship as last reported: ``outcome`` only moves up;
    ``russian_systems`` (Russian systems aboard) only from unknown to
    denied, assessed, confirmed."""

    name: str
    ship_class: str
    outcome: LaunchOutcome
    date: UncertainDate
    place: str | None = None
    russian_systems: RussianSystems | None = None

    @property
    def joint_development(self) -> bool:
        """Russian systems aboard are assessed or confirmed."""
        return self.russian_systems in ("assessed", "confirmed")


@attrs.frozen(kw_only=True)
class Exercise:
    name: str | None
    date: UncertainDate
    participants: tuple[str, ...]
    aircraft: tuple[str, ...]
    kind: str


@attrs.frozen(kw_only=True)
class Response:
    """A measure other states took in response (not an exercise)."""

    actors: tuple[str, ...]
    measure: str
    date: UncertainDate


@attrs.frozen(kw_only=True)
class Alignment:
    name: str
    members: tuple[str, ...]
    named: UncertainDate


@attrs.frozen(kw_only=True)
class Stance:
    """A position an actor stated itself."""

    actor: str
    stance: str
    date: UncertainDate


@attrs.frozen(kw_only=True)
class Assessment:
    """Someone's reading of an actor (never a fact of the relationship)."""

    assessor: str
    subject: str
    topic: str
    assessment: str
    date: UncertainDate


@attrs.frozen(kw_only=True)
class Report:
    body: str
    date: UncertainDate
    findings: tuple[str, ...]


@attrs.frozen(kw_only=True)
class Note:
    """A curator's note: a programme claim (or part of it) is unverifiable."""

    claim: str
    part: str
    reason: str
