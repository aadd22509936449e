"""The event types of the bundled timeline: North Korea–Russia military
cooperation, 2022–2025.

This module is the worked example to copy for a timeline of your own:

- every event type is declared with :func:`timeline.event_type`, under a
  stable dotted name in a namespace of its own (``nkru.treaty.signed``:
  ``nkru`` for North Korea–Russia), so that importing this module never
  takes a name a user's own types may want (``summit.held``), and a
  schema version;
- payload fields are typed, immutable values that the durable log can store
  and read back by their annotations: ``str``, ``int``, ``bool``, ``None``,
  tuples (not lists), ``Literal`` choices, enums, :class:`UncertainDate`,
  and attrs frozen classes of these, such as :class:`Estimate`;
- quantities are never bare numbers: an :class:`Estimate` keeps its bounds,
  how they are meant ("about", "at least", ...), the unit and who said it.
  Its ``measure`` names the quantity, so that a later estimate of the same
  quantity *replaces* an earlier one instead of adding to it;
- a common base class, :class:`StoryEvent`, adds envelope that every event
  of this story carries (the ids of the verified facts behind it).  It is
  not registered itself: only the concrete types are.

Countries are ISO 3166 alpha-2 codes (``"KP"`` North Korea, ``"RU"``
Russia, ``"UA"``, ``"US"``, ``"KR"``, ``"JP"``, ``"CN"``, ``"IR"``).

>>> e = Estimate(measure="kp-troops-in-russia", low=12000, high=12000,
...              qualifier="about", unit="soldiers", by="NIS")
>>> str(e)
'about 12,000 soldiers (NIS)'
>>> str(Estimate(measure="m", low=1000000, qualifier="at_least", unit="rounds",
...              by="NIS"))
'at least 1,000,000 rounds (NIS)'
"""

from __future__ import annotations

import enum
import re
import typing
from typing import Any, Final, Literal, TypeVar

import attrs

import timeline
from timeline import UncertainDate
from timeline.exceptions import InvalidEventError

__all__ = [
    "EVENT_TYPES",
    "AidProvided",
    "AlignmentNamed",
    "ArmsItem",
    "ArmsTransferred",
    "AssessmentMade",
    "CasualtiesEstimated",
    "ClaimUnverified",
    "DiplomaticBacking",
    "Estimate",
    "EstimateQualifier",
    "ExerciseHeld",
    "LaunchOutcome",
    "MonitoringReported",
    "PersonnelAnnounced",
    "PersonnelDeployed",
    "PersonnelKind",
    "ResponseTaken",
    "RussianSystems",
    "StanceStated",
    "StoryEvent",
    "SummitHeld",
    "TechnologyTransferred",
    "TreatyInForce",
    "TreatyRatified",
    "TreatySigned",
    "WarBegan",
    "WarEpisode",
    "WarshipLaunched",
]

_C = TypeVar("_C", bound=type)

EstimateQualifier = Literal["exact", "about", "at_least", "at_most", "up_to"]
"""How an estimate's bounds are meant.

``exact``: a stated count; ``about``: an approximate figure; ``at_least`` /
``at_most``: one-sided bounds; ``up_to``: a ceiling derived from capacity
(for example shells per container), not a count.
"""

ESTIMATE_QUALIFIERS: Final = typing.get_args(EstimateQualifier)

RussianSystems = Literal["none", "assessed", "confirmed"]
"""Whether a warship carries Russian systems: stated by no one (``None``),
denied (``"none"``), only assessed by analysts, or confirmed."""


class PersonnelKind(enum.StrEnum):
    """Who was sent."""

    COMBAT_TROOPS = "combat_troops"
    SPECIAL_FORCES = "special_forces"
    SAPPERS = "sappers"
    MILITARY_BUILDERS = "military_builders"
    WORKERS = "workers"

    @property
    def is_troops(self) -> bool:
        """Soldiers sent to fight (as opposed to engineers and workers)."""
        return self in (PersonnelKind.COMBAT_TROOPS, PersonnelKind.SPECIAL_FORCES)


class LaunchOutcome(enum.StrEnum):
    """What a warship launch event reports."""

    LAUNCHED = "launched"
    FAILED = "failed"
    RIGHTED = "righted"
    RELAUNCHED = "relaunched"


def _check_bounds(estimate: Estimate) -> None:
    low, high, qualifier = estimate.low, estimate.high, estimate.qualifier
    if qualifier not in ESTIMATE_QUALIFIERS:
        raise InvalidEventError(
            f"estimate {estimate.measure!r}: qualifier must be one of "
            f"{ESTIMATE_QUALIFIERS}, not {qualifier!r}"
        )
    for name, value in (("low", low), ("high", high)):
        if value is not None and (
            not isinstance(value, int) or isinstance(value, bool) or value < 0
        ):
            raise InvalidEventError(
                f"estimate {estimate.measure!r}: {name} must be an int >= 0 or "
                f"None, not {value!r}"
            )
    if low is None and high is None:
        raise InvalidEventError(
            f"estimate {estimate.measure!r}: give low, high or both"
        )
    if low is not None and high is not None and low > high:
        raise InvalidEventError(
            f"estimate {estimate.measure!r}: low {low} is above high {high}"
        )
    if qualifier == "at_least" and low is None:
        raise InvalidEventError(f"estimate {estimate.measure!r}: 'at_least' needs low")
    if qualifier in ("at_most", "up_to") and high is None:
        raise InvalidEventError(
            f"estimate {estimate.measure!r}: {qualifier!r} needs high"
        )
    if qualifier == "exact" and low != high:
        raise InvalidEventError(
            f"estimate {estimate.measure!r}: 'exact' needs low == high"
        )
    for name in ("measure", "unit", "by"):
        value = getattr(estimate, name)
        if not isinstance(value, str) or not value.strip():
            raise InvalidEventError(
                f"estimate: {name} must be a non-empty str, not {value!r}"
            )
    if estimate.since is not None and not isinstance(estimate.since, UncertainDate):
        raise InvalidEventError(
            f"estimate {estimate.measure!r}: since must be an UncertainDate or "
            f"None, not {estimate.since!r}"
        )


@attrs.frozen(kw_only=True)
class Estimate:
    """A quantity as someone estimated it.

    ``measure`` is a stable key of the quantity (``"kp-troops-sent"``):
    estimates of the same measure are answers to one question.  ``by`` names
    the author; estimates of one measure by one author form a *series*, in
    which a later estimate replaces the earlier; different authors' series
    stand side by side (their range is the disagreement between sources).
    ``low``/``high`` are inclusive bounds (``None``: no bound given), read
    through ``qualifier``.  ``since`` is the start of the period a running
    count counts from (``None``: not a running count, or not said): counts
    from different starts are different questions, so different measures.
    """

    measure: str
    low: int | None = None
    high: int | None = None
    qualifier: EstimateQualifier = "about"
    unit: str
    by: str
    since: UncertainDate | None = None

    def __attrs_post_init__(self) -> None:
        _check_bounds(self)

    def __str__(self) -> str:
        return f"{self.amount} {self.unit} ({self.by})"

    @property
    def amount(self) -> str:
        """The bounds in words: ``"about 12,000"``, ``"at least 5,000"``."""
        low = None if self.low is None else f"{self.low:,}"
        high = None if self.high is None else f"{self.high:,}"
        qualifier = self.qualifier
        if qualifier == "at_least":
            return f"at least {low}" if high is None else f"{low}–{high}"
        if qualifier in ("at_most", "up_to"):
            words = qualifier.replace("_", " ")
            return f"{words} {high}" if low in (None, high) else f"{low}–{high}"
        prefix = "about " if qualifier == "about" else ""
        if low is None or high is None or low == high:
            return f"{prefix}{low or high}"
        return f"{prefix}{low}–{high}"


@attrs.frozen(kw_only=True)
class ArmsItem:
    """One kind of weapon or ammunition in a transfer, with its quantity if
    one was estimated."""

    item: str
    quantity: Estimate | None = None


# -- the common base ----------------------------------------------------

_FACT_ID: Final = re.compile(r"F\d{2,}")


@typing.dataclass_transform(
    kw_only_default=True, frozen_default=True, field_specifiers=(attrs.field,)
)
def _event_base(cls: _C) -> _C:
    """Make an (unregistered) base class of event types attrs-frozen and
    keyword-only, like :func:`timeline.event_type` does, so that type
    checkers see its fields in the subclasses' ``__init__``."""
    return attrs.frozen(kw_only=True)(cls)


def _check_facts(_: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, tuple) or not all(
        isinstance(item, str) and _FACT_ID.fullmatch(item) for item in value
    ):
        raise InvalidEventError(
            f"{attribute.name}: expected a tuple of fact ids such as ('F16',), "
            f"got {value!r}"
        )


@_event_base
class StoryEvent(timeline.Event):
    """Base of this story's event types: the envelope, plus ``facts``, the
    ids of the verified facts (``F01`` ... in the curation's facts list)
    that an event of the verified layer rests on.  Programme claims have
    none.  Stored as a payload field like any other."""

    facts: tuple[str, ...] = attrs.field(default=(), validator=_check_facts)


# -- the event types ----------------------------------------------------


@timeline.event_type("nkru.war.began")
class WarBegan(StoryEvent):
    """A war began (its first day: an episode of it is :class:`WarEpisode`)."""

    aggressor: str
    target: str
    name: str


@timeline.event_type("nkru.war.episode")
class WarEpisode(StoryEvent):
    """An episode of a war that has begun (an offensive, an incursion), by
    ``initiator`` at ``place``: it does not begin a war."""

    war: str
    name: str
    initiator: str
    place: str


@timeline.event_type("nkru.summit.held")
class SummitHeld(StoryEvent):
    """Leaders met."""

    leaders: tuple[str, ...]
    place: str


@timeline.event_type("nkru.treaty.signed")
class TreatySigned(StoryEvent):
    """A treaty was signed; ``mutual_defense``: it contains a clause of
    mutual assistance in case of armed attack (``article`` names it)."""

    treaty: str
    parties: tuple[str, ...]
    mutual_defense: bool
    article: str | None = None


@timeline.event_type("nkru.treaty.ratified")
class TreatyRatified(StoryEvent):
    """One party's body (parliament, head of state) ratified a treaty."""

    treaty: str
    party: str
    body: str


@timeline.event_type("nkru.treaty.in_force")
class TreatyInForce(StoryEvent):
    """A treaty entered into force."""

    treaty: str


@timeline.event_type("nkru.arms.transferred")
class ArmsTransferred(StoryEvent):
    """Weapons or ammunition were supplied (or a supply was reported);
    ``used_in_combat``: None when the source does not say."""

    supplier: str
    recipient: str
    items: tuple[ArmsItem, ...]
    used_in_combat: bool | None = None


@timeline.event_type("nkru.personnel.announced")
class PersonnelAnnounced(StoryEvent):
    """Someone (``announcer``) said that people *will* be sent: a future-tense
    statement, not a deployment.  A later :class:`PersonnelDeployed` says
    when (and how many) actually arrived."""

    announcer: str
    sender: str
    host: str
    kind: PersonnelKind
    count: Estimate | None = None
    roles: tuple[str, ...] = ()
    destination: str | None = None


@timeline.event_type("nkru.personnel.deployed")
class PersonnelDeployed(StoryEvent):
    """Troops, engineers or workers were sent (or their number estimated);
    ``fought``: None when the source does not say."""

    sender: str
    host: str
    kind: PersonnelKind
    count: Estimate | None = None
    roles: tuple[str, ...] = ()
    destination: str | None = None
    fought: bool | None = None


@timeline.event_type("nkru.casualties.estimated")
class CasualtiesEstimated(StoryEvent):
    """Someone estimated the losses of a force (``"KP-in-RU"``: the North
    Korean troops in Russia)."""

    force: str
    killed: Estimate | None = None
    wounded: Estimate | None = None
    total: Estimate | None = None


@timeline.event_type("nkru.technology.transferred")
class TechnologyTransferred(StoryEvent):
    """Military technology was provided in some domains (``satellite``,
    ``submarine``, ``ballistic_missile``, ``air_defense``, ``naval``, ...);
    ``assessment``: the source only assesses or suspects it."""

    provider: str
    recipient: str
    domains: tuple[str, ...]
    assessment: bool
    platform: str | None = None
    """The warship (by name) the technology is assessed or confirmed to be
    aboard, if the source names one."""


@timeline.event_type("nkru.aid.provided")
class AidProvided(StoryEvent):
    """Material aid (``fuel``, ``oil``, ``food``, ...) was provided."""

    provider: str
    recipient: str
    kinds: tuple[str, ...]
    quantity: Estimate | None = None


@timeline.event_type("nkru.diplomatic.backing")
class DiplomaticBacking(StoryEvent):
    """One state shielded another diplomatically (a veto, for example)."""

    provider: str
    beneficiary: str
    action: str


@timeline.event_type("nkru.warship.launched")
class WarshipLaunched(StoryEvent):
    """A warship launch, failed launch, righting or relaunch; a sign of
    joint development when ``russian_systems`` is assessed or confirmed."""

    name: str | None
    ship_class: str
    displacement_t: int | None = None
    place: str | None = None
    outcome: LaunchOutcome = LaunchOutcome.LAUNCHED
    russian_systems: RussianSystems | None = None


@timeline.event_type("nkru.exercise.held")
class ExerciseHeld(StoryEvent):
    """A military exercise, here the regional response to the cooperation."""

    name: str | None
    participants: tuple[str, ...]
    aircraft: tuple[str, ...] = ()
    kind: str


@timeline.event_type("nkru.alignment.named")
class AlignmentNamed(StoryEvent):
    """A grouping of states was named (such as "CRINKs")."""

    name: str
    members: tuple[str, ...]


@timeline.event_type("nkru.stance.stated")
class StanceStated(StoryEvent):
    """A position an actor itself stated (in its own words or by its
    spokesperson)."""

    actor: str
    stance: str


@timeline.event_type("nkru.assessment.made")
class AssessmentMade(StoryEvent):
    """Someone's reading of an actor (``subject``): an intelligence agency's
    assessment, an analyst's or a broadcaster's reading of motives.  Not a
    stance the subject stated, and never a fact of the relationship."""

    assessor: str
    subject: str
    topic: str
    assessment: str


@timeline.event_type("nkru.response.taken")
class ResponseTaken(StoryEvent):
    """A measure other states took in response (other than an exercise):
    a data-sharing system, a sanctions step."""

    actors: tuple[str, ...]
    measure: str


@timeline.event_type("nkru.claim.unverified")
class ClaimUnverified(StoryEvent):
    """A curator's note that a claim (``claim``: the id of a programme
    event), or a ``part`` of it, could not be verified, and why.  When the
    whole claim is unverifiable the note supersedes it, so the corrected
    record keeps the note and drops the claim."""

    claim: str
    part: str
    reason: str


@timeline.event_type("nkru.monitoring.reported")
class MonitoringReported(StoryEvent):
    """A monitoring body (an intelligence service, a sanctions monitoring
    team) published findings."""

    body: str
    findings: tuple[str, ...]


EVENT_TYPES: Final[tuple[type[StoryEvent], ...]] = (
    WarBegan,
    WarEpisode,
    SummitHeld,
    TreatySigned,
    TreatyRatified,
    TreatyInForce,
    ArmsTransferred,
    PersonnelAnnounced,
    PersonnelDeployed,
    CasualtiesEstimated,
    TechnologyTransferred,
    AidProvided,
    DiplomaticBacking,
    WarshipLaunched,
    ExerciseHeld,
    AlignmentNamed,
    StanceStated,
    AssessmentMade,
    ResponseTaken,
    MonitoringReported,
    ClaimUnverified,
)
"""Every event type of the story, in the order of the curation's list."""
