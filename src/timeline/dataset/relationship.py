"""The ``Relationship`` projection: the state of North Korea–Russia military
cooperation that the events of :mod:`timeline.dataset.events` add up to.

The state is an attrs frozen :class:`RelationshipState` with one facet per
question a reader asks: the treaty, the troops and other personnel, arms to
Russia, technology and aid to North Korea, joint development (warships),
the regional response (exercises), alignments, and an overall
:class:`Stage`.

Rules the handlers keep, so that replaying events over imprecise dates never
gives a silly answer:

- **No status moves backwards.**  Events are folded by their latest possible
  day, so a coarse date ("2024") can be folded after a precise later one
  ("2024-12-04").  A treaty in force stays in force when a "signed" event is
  folded after it; troops once deployed stay deployed; a warship's outcome
  only moves up (failed < righted < launched < relaunched).
- **Dates are refined, never replaced by a worse one.**  A fact's date (the
  treaty's signing, "troops since") changes only to a date that is certainly
  earlier, or to a narrower date inside the one it has (2024-06 → 2024-06-19).
- **Estimates replace, never add up.**  Figures are keyed by
  :attr:`~timeline.dataset.events.Estimate.measure`; a later estimate of the
  same measure replaces the earlier one.
- **Provenance.**  Every fact keeps the ids of the events behind it
  (:meth:`RelationshipState.sources`), for ``timeline state --explain``.

>>> from timeline.dataset import Relationship, open_bundled
>>> answer = open_bundled().state(Relationship, as_of="2024-07-01")
>>> answer.certain.treaty.status, str(answer.certain.treaty.signed)
('signed', '2024-06-19')
>>> answer.certain.sources("treaty.status")
('ver-treaty-signed-2024-06-19',)
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import Any, Final, Literal

import attrs

import timeline
from timeline import UncertainDate
from timeline.dataset.events import (
    AidProvided,
    AlignmentNamed,
    ArmsTransferred,
    CasualtiesEstimated,
    DiplomaticBacking,
    Estimate,
    ExerciseHeld,
    LaunchOutcome,
    MonitoringReported,
    PersonnelDeployed,
    RussianSystems,
    StanceStated,
    SummitHeld,
    TechnologyTransferred,
    TreatyInForce,
    TreatyRatified,
    TreatySigned,
    WarBegan,
    WarshipLaunched,
)

__all__ = [
    "Aid",
    "Alignment",
    "Arms",
    "Episode",
    "Exercise",
    "Figure",
    "Personnel",
    "Ratification",
    "Relationship",
    "RelationshipState",
    "Report",
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
_TREATY_RANK: Final[dict[str, int]] = {"none": 0, "signed": 1, "in_force": 2}
_OUTCOME_RANK: Final = {
    LaunchOutcome.FAILED: 0,
    LaunchOutcome.RIGHTED: 1,
    LaunchOutcome.LAUNCHED: 2,
    LaunchOutcome.RELAUNCHED: 3,
}
_SYSTEMS_RANK: Final[dict[str, int]] = {"none": 0, "assessed": 1, "confirmed": 2}
# The two parties: their stances are motives, anyone else's a response.
PARTIES: Final = frozenset({"KP", "RU"})

Provenance = tuple[tuple[str, tuple[str, ...]], ...]


class Stage(enum.StrEnum):
    """How far the cooperation has gone, from the facts of a state.

    The stages are ordered; a state is at the highest stage whose condition
    holds (:attr:`RelationshipState.stage`).
    """

    NONE = "none"  # no cooperation recorded
    RAPPROCHEMENT = "rapprochement"  # summits, stated motives, backing
    ARMS_TRADE = "arms_trade"  # arms to Russia, technology or aid to NK
    TREATY_SIGNED = "treaty_signed"  # the partnership treaty is signed
    ALLIANCE = "alliance"  # the treaty is in force
    TROOPS_DEPLOYED = "troops_deployed"  # North Korean troops in Russia
    CO_BELLIGERENCE = "co_belligerence"  # and they fought

    @property
    def rank(self) -> int:
        return list(Stage).index(self)


# -- facet values -------------------------------------------------------


@attrs.frozen(kw_only=True)
class Figure:
    """An estimate as the state holds it: the estimate, the date of the
    event that made it, and that event's id."""

    estimate: Estimate
    date: UncertainDate
    event: str


@attrs.frozen(kw_only=True)
class Episode:
    name: str
    date: UncertainDate


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


@attrs.frozen(kw_only=True)
class Personnel:
    """People sent to Russia: ``kind`` is ``"troops"`` (combat troops and
    special forces) or a :class:`~timeline.dataset.events.PersonnelKind`
    value.  ``fought`` is True once a source says they fought."""

    kind: str
    deployed: bool = False
    since: UncertainDate | None = None
    fought: bool = False
    destinations: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    estimates: tuple[Figure, ...] = ()


@attrs.frozen(kw_only=True)
class Arms:
    """Arms to Russia: the items named, those reported used in combat, and
    the latest estimate per measure."""

    items: tuple[str, ...] = ()
    used_in_combat: tuple[str, ...] = ()
    estimates: tuple[Figure, ...] = ()


@attrs.frozen(kw_only=True)
class Technology:
    """Technology to North Korea: ``domains`` stated as fact by a source,
    ``assessed`` only assessed or suspected (and not stated as fact)."""

    domains: tuple[str, ...] = ()
    assessed: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class Aid:
    """Material aid to North Korea, and diplomatic ``backing``."""

    kinds: tuple[str, ...] = ()
    estimates: tuple[Figure, ...] = ()
    backing: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class Warship:
    """A warship as last reported: ``outcome`` only moves up; ``russian``
    (Russian systems aboard) only from unknown to denied, assessed,
    confirmed."""

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
class Alignment:
    name: str
    members: tuple[str, ...]
    named: UncertainDate


@attrs.frozen(kw_only=True)
class Stance:
    actor: str
    stance: str
    date: UncertainDate


@attrs.frozen(kw_only=True)
class Report:
    body: str
    date: UncertainDate
    findings: tuple[str, ...]


# -- the state ------------------------------------------------------------


@attrs.frozen(kw_only=True)
class RelationshipState:
    """The relationship at one point of a replay.  Immutable: handlers
    return a new state (:func:`attrs.evolve`)."""

    war: War = War()
    summits: tuple[Summit, ...] = ()
    treaty: Treaty = Treaty()
    troops: Personnel = Personnel(kind="troops")
    casualties: tuple[Figure, ...] = ()
    other_personnel: tuple[Personnel, ...] = ()
    arms: Arms = Arms()
    technology: Technology = Technology()
    aid: Aid = Aid()
    warships: tuple[Warship, ...] = ()
    exercises: tuple[Exercise, ...] = ()
    alignments: tuple[Alignment, ...] = ()
    stances: tuple[Stance, ...] = ()
    monitoring: tuple[Report, ...] = ()
    provenance: Provenance = ()

    @property
    def stage(self) -> Stage:
        """The highest :class:`Stage` whose condition holds."""
        if self.troops.deployed and self.troops.fought:
            return Stage.CO_BELLIGERENCE
        if self.troops.deployed:
            return Stage.TROOPS_DEPLOYED
        if self.treaty.status == "in_force":
            return Stage.ALLIANCE
        if self.treaty.status == "signed":
            return Stage.TREATY_SIGNED
        if (
            self.arms.items
            or self.technology.domains
            or self.technology.assessed
            or self.aid.kinds
            or any(p.deployed for p in self.other_personnel)
        ):
            return Stage.ARMS_TRADE
        if (
            self.summits
            or self.aid.backing
            or any(s.actor in PARTIES for s in self.stances)
        ):
            return Stage.RAPPROCHEMENT
        return Stage.NONE

    @property
    def joint_development(self) -> tuple[Warship, ...]:
        """Warships with Russian systems aboard (assessed or confirmed)."""
        return tuple(w for w in self.warships if w.joint_development)

    def personnel(self, kind: str) -> Personnel:
        """The facet of one kind of personnel (``"troops"`` included)."""
        if kind == "troops":
            return self.troops
        for entry in self.other_personnel:
            if entry.kind == kind:
                return entry
        return Personnel(kind=kind)

    def sources(self, key: str) -> tuple[str, ...]:
        """The ids of the events behind a fact, in fold order.

        ``key`` is a fact key such as ``"treaty.status"``, ``"troops.since"``
        or ``"arms.estimates.kp-shells-to-russia"``; a prefix such as
        ``"treaty"`` gathers every fact under it.
        """
        found: list[str] = []
        for fact, ids in self.provenance:
            if fact == key or fact.startswith(key + "."):
                found.extend(i for i in ids if i not in found)
        return tuple(found)

    def as_dict(self) -> dict[str, Any]:
        """The state as plain JSON values (the ``certain``/``possible``
        objects of ``timeline state --json``; see docs/cli-json.md)."""
        return {
            "stage": self.stage.value,
            "war": {
                "began": _edtf(self.war.began),
                "episodes": [
                    {"name": e.name, "date": e.date.to_edtf()}
                    for e in self.war.episodes
                ],
            },
            "summits": [
                {"date": s.date.to_edtf(), "place": s.place, "leaders": list(s.leaders)}
                for s in self.summits
            ],
            "treaty": {
                "name": self.treaty.name,
                "status": self.treaty.status,
                "signed": _edtf(self.treaty.signed),
                "in_force": _edtf(self.treaty.in_force),
                "mutual_defense": self.treaty.mutual_defense,
                "article": self.treaty.article,
                "ratifications": [
                    {"party": r.party, "body": r.body, "date": r.date.to_edtf()}
                    for r in self.treaty.ratifications
                ],
            },
            "troops": _personnel_dict(self.troops),
            "casualties": _figures_dict(self.casualties),
            "other_personnel": [_personnel_dict(p) for p in self.other_personnel],
            "arms": {
                "items": list(self.arms.items),
                "used_in_combat": list(self.arms.used_in_combat),
                "estimates": _figures_dict(self.arms.estimates),
            },
            "technology": {
                "domains": list(self.technology.domains),
                "assessed": list(self.technology.assessed),
            },
            "aid": {
                "kinds": list(self.aid.kinds),
                "estimates": _figures_dict(self.aid.estimates),
                "backing": list(self.aid.backing),
            },
            "warships": [
                {
                    "name": w.name,
                    "ship_class": w.ship_class,
                    "outcome": w.outcome.value,
                    "date": w.date.to_edtf(),
                    "place": w.place,
                    "russian_systems": w.russian_systems,
                    "joint_development": w.joint_development,
                }
                for w in self.warships
            ],
            "exercises": [
                {
                    "name": x.name,
                    "date": x.date.to_edtf(),
                    "participants": list(x.participants),
                    "aircraft": list(x.aircraft),
                    "kind": x.kind,
                }
                for x in self.exercises
            ],
            "alignments": [
                {"name": a.name, "members": list(a.members), "named": a.named.to_edtf()}
                for a in self.alignments
            ],
            "stances": [
                {"actor": s.actor, "stance": s.stance, "date": s.date.to_edtf()}
                for s in self.stances
            ],
            "monitoring": [
                {"body": r.body, "date": r.date.to_edtf(), "findings": list(r.findings)}
                for r in self.monitoring
            ],
            "provenance": {fact: list(ids) for fact, ids in self.provenance},
        }


def _edtf(date: UncertainDate | None) -> str | None:
    return None if date is None else date.to_edtf()


def _estimate_dict(figure: Figure) -> dict[str, Any]:
    e = figure.estimate
    return {
        "low": e.low,
        "high": e.high,
        "qualifier": e.qualifier,
        "unit": e.unit,
        "by": e.by,
        "date": figure.date.to_edtf(),
        "event": figure.event,
    }


def _figures_dict(figures: Iterable[Figure]) -> dict[str, Any]:
    return {f.estimate.measure: _estimate_dict(f) for f in figures}


def _personnel_dict(p: Personnel) -> dict[str, Any]:
    return {
        "kind": p.kind,
        "deployed": p.deployed,
        "since": _edtf(p.since),
        "fought": p.fought,
        "destinations": list(p.destinations),
        "roles": list(p.roles),
        "estimates": _figures_dict(p.estimates),
    }


# -- helpers the handlers share -------------------------------------------


def _cite(
    provenance: Provenance, key: str, event_id: str, *, replace: bool = False
) -> Provenance:
    """Record that ``event_id`` is behind the fact ``key`` (``replace``:
    it alone, because it changed the fact's value)."""
    facts = dict(provenance)
    old = () if replace else facts.get(key, ())
    if event_id in old:
        return provenance
    facts[key] = (*old, event_id)
    return tuple(sorted(facts.items()))


def _contains(outer: UncertainDate, inner: UncertainDate) -> bool:
    lo_o, hi_o = outer.earliest_day, outer.latest_day
    lo_i, hi_i = inner.earliest_day, inner.latest_day
    starts = lo_o is None or (lo_i is not None and lo_i >= lo_o)
    ends = hi_o is None or (hi_i is not None and hi_i <= hi_o)
    return starts and ends


def _earlier(old: UncertainDate | None, new: UncertainDate) -> UncertainDate:
    """The date to keep for "since when": the new one only if it is
    certainly earlier than the old one, or a narrower date inside it."""
    if old is None:
        return new
    if new != old and _contains(old, new):
        return new
    old_start, new_end = old.earliest_day, new.latest_day
    if old_start is not None and new_end is not None and new_end < old_start:
        return new
    return old


def _add(items: tuple[str, ...], new: Iterable[str]) -> tuple[str, ...]:
    out = list(items)
    out.extend(x for x in new if x not in out)
    return tuple(out) if len(out) != len(items) else items


def _put_figure(
    figures: tuple[Figure, ...], figure: Figure
) -> tuple[Figure, ...] | None:
    """The figures with ``figure`` replacing the one of the same measure
    (kept sorted by measure), or None if the held one stays.

    Events come in fold order, so the new figure is never certainly older;
    but if its date reaches further back than the held one's (a coarse
    "before 2025-07-14" against a precise "2025-07-13"), it may be older,
    and an imprecise date does not displace a precise later one.
    """
    measure = figure.estimate.measure
    held = next((f for f in figures if f.estimate.measure == measure), None)
    if held is not None and _start(figure.date) < _start(held.date):
        return None
    kept = [f for f in figures if f.estimate.measure != measure]
    kept.append(figure)
    return tuple(sorted(kept, key=lambda f: f.estimate.measure))


def _start(date: UncertainDate) -> float:
    day = date.earliest_day
    return float("-inf") if day is None else day


def _record_figure(
    figures: tuple[Figure, ...],
    provenance: Provenance,
    key: str,
    estimate: Estimate,
    event: timeline.Event,
) -> tuple[tuple[Figure, ...], Provenance]:
    """Put an event's estimate among ``figures`` and cite the event under
    ``key.<measure>`` if it is now the figure held."""
    figure = Figure(estimate=estimate, date=event.occurred, event=event.id)
    replaced = _put_figure(figures, figure)
    if replaced is None:
        return figures, provenance
    fact = f"{key}.{estimate.measure}"
    return replaced, _cite(provenance, fact, event.id, replace=True)


# -- the projection -------------------------------------------------------

Relationship: Final = timeline.Projection(
    initial=RelationshipState(), name="north-korea-russia relationship"
)
"""The projection: ``log.state(Relationship, as_of=...)``."""

_S = RelationshipState


@Relationship.on(WarBegan)
def _war_began(state: _S, event: WarBegan) -> _S:
    war = state.war
    began = _earlier(war.began, event.occurred)
    episodes = (*war.episodes, Episode(name=event.name, date=event.occurred))
    provenance = _cite(state.provenance, "war.episodes", event.id)
    provenance = _cite(provenance, "war.began", event.id, replace=began != war.began)
    return attrs.evolve(
        state,
        war=War(began=began, episodes=episodes),
        provenance=provenance,
    )


@Relationship.on(SummitHeld)
def _summit(state: _S, event: SummitHeld) -> _S:
    summit = Summit(date=event.occurred, place=event.place, leaders=event.leaders)
    return attrs.evolve(
        state,
        summits=(*state.summits, summit),
        provenance=_cite(state.provenance, "summits", event.id),
    )


def _raise_status(
    state: _S, event: timeline.Event, status: TreatyStatus, treaty_name: str
) -> tuple[Treaty, Provenance]:
    treaty = state.treaty
    provenance = state.provenance
    old, new = _TREATY_RANK[treaty.status], _TREATY_RANK[status]
    if new > old:
        treaty = attrs.evolve(treaty, status=status)
        provenance = _cite(provenance, "treaty.status", event.id, replace=True)
    elif new == old:
        provenance = _cite(provenance, "treaty.status", event.id)
    if treaty.name is None:
        treaty = attrs.evolve(treaty, name=treaty_name)
    return treaty, provenance


@Relationship.on(TreatySigned)
def _treaty_signed(state: _S, event: TreatySigned) -> _S:
    treaty, provenance = _raise_status(state, event, "signed", event.treaty)
    signed = _earlier(treaty.signed, event.occurred)
    if signed != treaty.signed:
        provenance = _cite(provenance, "treaty.signed", event.id, replace=True)
    elif signed == event.occurred:
        provenance = _cite(provenance, "treaty.signed", event.id)
    mutual = treaty.mutual_defense or event.mutual_defense
    if event.mutual_defense:
        provenance = _cite(provenance, "treaty.mutual_defense", event.id)
    article = treaty.article or event.article
    return attrs.evolve(
        state,
        treaty=attrs.evolve(
            treaty, signed=signed, mutual_defense=mutual, article=article
        ),
        provenance=provenance,
    )


@Relationship.on(TreatyRatified)
def _treaty_ratified(state: _S, event: TreatyRatified) -> _S:
    treaty = state.treaty
    ratification = Ratification(party=event.party, body=event.body, date=event.occurred)
    return attrs.evolve(
        state,
        treaty=attrs.evolve(
            treaty,
            name=treaty.name or event.treaty,
            ratifications=(*treaty.ratifications, ratification),
        ),
        provenance=_cite(state.provenance, "treaty.ratifications", event.id),
    )


@Relationship.on(TreatyInForce)
def _treaty_in_force(state: _S, event: TreatyInForce) -> _S:
    treaty, provenance = _raise_status(state, event, "in_force", event.treaty)
    in_force = _earlier(treaty.in_force, event.occurred)
    if in_force != treaty.in_force:
        provenance = _cite(provenance, "treaty.in_force", event.id, replace=True)
    elif in_force == event.occurred:
        provenance = _cite(provenance, "treaty.in_force", event.id)
    return attrs.evolve(
        state, treaty=attrs.evolve(treaty, in_force=in_force), provenance=provenance
    )


@Relationship.on(PersonnelDeployed)
def _personnel(state: _S, event: PersonnelDeployed) -> _S:
    kind = "troops" if event.kind.is_troops else event.kind.value
    key = "troops" if kind == "troops" else f"personnel.{kind}"
    old = state.personnel(kind)
    provenance = _cite(state.provenance, f"{key}.deployed", event.id)
    since = _earlier(old.since, event.occurred)
    if since != old.since:
        provenance = _cite(provenance, f"{key}.since", event.id, replace=True)
    elif since == event.occurred:
        provenance = _cite(provenance, f"{key}.since", event.id)
    fought = old.fought or event.fought is True
    if event.fought is True:
        provenance = _cite(provenance, f"{key}.fought", event.id)
    destinations = old.destinations
    if event.destination is not None:
        destinations = _add(destinations, (event.destination,))
        provenance = _cite(provenance, f"{key}.destinations", event.id)
    roles = _add(old.roles, event.roles)
    if event.roles:
        provenance = _cite(provenance, f"{key}.roles", event.id)
    estimates = old.estimates
    if event.count is not None:
        estimates, provenance = _record_figure(
            estimates, provenance, f"{key}.estimates", event.count, event
        )
    new = Personnel(
        kind=kind,
        deployed=True,
        since=since,
        fought=fought,
        destinations=destinations,
        roles=roles,
        estimates=estimates,
    )
    if kind == "troops":
        return attrs.evolve(state, troops=new, provenance=provenance)
    others = [p for p in state.other_personnel if p.kind != kind]
    others.append(new)
    return attrs.evolve(
        state,
        other_personnel=tuple(sorted(others, key=lambda p: p.kind)),
        provenance=provenance,
    )


@Relationship.on(CasualtiesEstimated)
def _casualties(state: _S, event: CasualtiesEstimated) -> _S:
    figures = state.casualties
    provenance = state.provenance
    for estimate in (event.killed, event.wounded, event.total):
        if estimate is None:
            continue
        figures, provenance = _record_figure(
            figures, provenance, "casualties", estimate, event
        )
    return attrs.evolve(state, casualties=figures, provenance=provenance)


@Relationship.on(ArmsTransferred)
def _arms(state: _S, event: ArmsTransferred) -> _S:
    arms = state.arms
    names = [item.item for item in event.items]
    provenance = _cite(state.provenance, "arms.items", event.id)
    used = arms.used_in_combat
    if event.used_in_combat is True:
        used = _add(used, names)
        provenance = _cite(provenance, "arms.used_in_combat", event.id)
    estimates = arms.estimates
    for item in event.items:
        if item.quantity is not None:
            estimates, provenance = _record_figure(
                estimates, provenance, "arms.estimates", item.quantity, event
            )
    return attrs.evolve(
        state,
        arms=Arms(
            items=_add(arms.items, names), used_in_combat=used, estimates=estimates
        ),
        provenance=provenance,
    )


@Relationship.on(TechnologyTransferred)
def _technology(state: _S, event: TechnologyTransferred) -> _S:
    tech = state.technology
    if event.assessment:
        new = [d for d in event.domains if d not in tech.domains]
        tech = attrs.evolve(tech, assessed=_add(tech.assessed, new))
        key = "technology.assessed"
    else:
        domains = _add(tech.domains, event.domains)
        assessed = tuple(d for d in tech.assessed if d not in domains)
        tech = Technology(domains=domains, assessed=assessed)
        key = "technology.domains"
    return attrs.evolve(
        state, technology=tech, provenance=_cite(state.provenance, key, event.id)
    )


@Relationship.on(AidProvided)
def _aid(state: _S, event: AidProvided) -> _S:
    aid = state.aid
    provenance = _cite(state.provenance, "aid.kinds", event.id)
    estimates = aid.estimates
    if event.quantity is not None:
        estimates, provenance = _record_figure(
            estimates, provenance, "aid.estimates", event.quantity, event
        )
    return attrs.evolve(
        state,
        aid=attrs.evolve(aid, kinds=_add(aid.kinds, event.kinds), estimates=estimates),
        provenance=provenance,
    )


@Relationship.on(DiplomaticBacking)
def _backing(state: _S, event: DiplomaticBacking) -> _S:
    aid = state.aid
    return attrs.evolve(
        state,
        aid=attrs.evolve(aid, backing=_add(aid.backing, (event.action,))),
        provenance=_cite(state.provenance, "aid.backing", event.id),
    )


@Relationship.on(WarshipLaunched)
def _warship(state: _S, event: WarshipLaunched) -> _S:
    name = event.name or event.ship_class
    old = next((w for w in state.warships if w.name == name), None)
    new = Warship(
        name=name,
        ship_class=event.ship_class,
        outcome=event.outcome,
        date=event.occurred,
        place=event.place,
        russian_systems=event.russian_systems,
    )
    if old is not None:
        if _OUTCOME_RANK[event.outcome] < _OUTCOME_RANK[old.outcome]:
            new = attrs.evolve(new, outcome=old.outcome, date=old.date, place=old.place)
        systems = old.russian_systems
        if event.russian_systems is not None and (
            systems is None
            or _SYSTEMS_RANK[event.russian_systems] > _SYSTEMS_RANK[systems]
        ):
            systems = event.russian_systems
        new = attrs.evolve(new, russian_systems=systems)
    ships = [w for w in state.warships if w.name != name]
    ships.append(new)
    return attrs.evolve(
        state,
        warships=tuple(ships),
        provenance=_cite(state.provenance, f"warships.{name}", event.id),
    )


@Relationship.on(ExerciseHeld)
def _exercise(state: _S, event: ExerciseHeld) -> _S:
    exercise = Exercise(
        name=event.name,
        date=event.occurred,
        participants=event.participants,
        aircraft=event.aircraft,
        kind=event.kind,
    )
    return attrs.evolve(
        state,
        exercises=(*state.exercises, exercise),
        provenance=_cite(state.provenance, "exercises", event.id),
    )


@Relationship.on(AlignmentNamed)
def _alignment(state: _S, event: AlignmentNamed) -> _S:
    old = next((a for a in state.alignments if a.name == event.name), None)
    if old is None:
        new = Alignment(name=event.name, members=event.members, named=event.occurred)
    else:
        new = Alignment(
            name=event.name,
            members=_add(old.members, event.members),
            named=_earlier(old.named, event.occurred),
        )
    others = [a for a in state.alignments if a.name != event.name]
    return attrs.evolve(
        state,
        alignments=(*others, new),
        provenance=_cite(state.provenance, f"alignments.{event.name}", event.id),
    )


@Relationship.on(StanceStated)
def _stance(state: _S, event: StanceStated) -> _S:
    stance = Stance(actor=event.actor, stance=event.stance, date=event.occurred)
    return attrs.evolve(
        state,
        stances=(*state.stances, stance),
        provenance=_cite(state.provenance, "stances", event.id),
    )


@Relationship.on(MonitoringReported)
def _monitoring(state: _S, event: MonitoringReported) -> _S:
    report = Report(body=event.body, date=event.occurred, findings=event.findings)
    return attrs.evolve(
        state,
        monitoring=(*state.monitoring, report),
        provenance=_cite(state.provenance, "monitoring", event.id),
    )
