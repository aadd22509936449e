"""The ``Relationship`` projection: the state of North Korea–Russia military
cooperation that the events of :mod:`timeline.dataset.events` add up to.

The state is an attrs frozen :class:`RelationshipState` with one facet per
question a reader asks: the treaty, the troops and other personnel, arms to
Russia, technology and aid to North Korea, joint development (warships),
the regional response (exercises and other measures), alignments,
assessments, and an overall :class:`Stage`.  The facet types are in
:mod:`timeline.dataset._facets`, the estimate series in
:mod:`timeline.dataset._figures`.

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
- **Estimates are series per measure and author.**  A later estimate replaces
  the same author's earlier one, never another author's; the state shows the
  range across authors (:attr:`Personnel.ranges` and the like).
- **Announcements, assessments and notes are not facts.**  A statement that
  troops *will* be sent is an :class:`Announcement`; an analyst's reading of
  motives an :class:`Assessment`; neither deploys anyone or moves the stage.
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

from collections.abc import Iterable
from typing import Any, Final

import attrs

import timeline
from timeline import UncertainDate
from timeline.dataset._facets import (
    Aid,
    Alignment,
    Announcement,
    Arms,
    Assessment,
    Backing,
    Episode,
    Exercise,
    Note,
    Personnel,
    Ratification,
    Report,
    Response,
    Stage,
    Stance,
    Summit,
    Technology,
    Treaty,
    TreatyStatus,
    War,
    Warship,
)
from timeline.dataset._figures import Figure, Spread, put_figure, spreads
from timeline.dataset._json import state_json
from timeline.dataset.events import (
    AidProvided,
    AlignmentNamed,
    ArmsTransferred,
    AssessmentMade,
    CasualtiesEstimated,
    ClaimUnverified,
    DiplomaticBacking,
    Estimate,
    ExerciseHeld,
    LaunchOutcome,
    MonitoringReported,
    PersonnelAnnounced,
    PersonnelDeployed,
    ResponseTaken,
    RussianSystems,
    StanceStated,
    SummitHeld,
    TechnologyTransferred,
    TreatyInForce,
    TreatyRatified,
    TreatySigned,
    WarBegan,
    WarEpisode,
    WarshipLaunched,
)

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
    "Relationship",
    "RelationshipState",
    "Report",
    "Response",
    "Spread",
    "Stage",
    "Stance",
    "Summit",
    "Technology",
    "Treaty",
    "TreatyStatus",
    "War",
    "Warship",
]

_TREATY_RANK: Final[dict[str, int]] = {"none": 0, "signed": 1, "in_force": 2}
_OUTCOME_RANK: Final = {
    LaunchOutcome.FAILED: 0,
    LaunchOutcome.RIGHTED: 1,
    LaunchOutcome.LAUNCHED: 2,
    LaunchOutcome.RELAUNCHED: 3,
}
_SYSTEMS_RANK: Final[dict[str, int]] = {"none": 0, "assessed": 1, "confirmed": 2}
# The two parties: their stated positions and mutual backing are rapprochement.
PARTIES: Final = frozenset({"KP", "RU"})

Provenance = tuple[tuple[str, tuple[str, ...]], ...]


# -- the state ------------------------------------------------------------


@attrs.frozen(kw_only=True)
class RelationshipState:
    """The relationship at one point of a replay.  Immutable: handlers
    return a new state (:func:`attrs.evolve`)."""

    war: War = attrs.Factory(War)
    summits: tuple[Summit, ...] = ()
    treaty: Treaty = attrs.Factory(Treaty)
    troops: Personnel = attrs.Factory(lambda: Personnel(kind="troops"))
    casualties: tuple[Figure, ...] = ()
    other_personnel: tuple[Personnel, ...] = ()
    announcements: tuple[Announcement, ...] = ()
    arms: Arms = attrs.Factory(Arms)
    technology: Technology = attrs.Factory(Technology)
    aid: Aid = attrs.Factory(Aid)
    backing: tuple[Backing, ...] = ()
    warships: tuple[Warship, ...] = ()
    exercises: tuple[Exercise, ...] = ()
    responses: tuple[Response, ...] = ()
    alignments: tuple[Alignment, ...] = ()
    stances: tuple[Stance, ...] = ()
    assessments: tuple[Assessment, ...] = ()
    monitoring: tuple[Report, ...] = ()
    unverified: tuple[Note, ...] = ()
    provenance: Provenance = ()

    @property
    def stage(self) -> Stage:
        """The highest :class:`Stage` whose condition holds."""
        if self.troops.deployed and self.troops.fought:
            return Stage.CO_BELLIGERENCE
        if self.treaty.status == "in_force":
            return Stage.ALLIANCE
        if self.troops.deployed:
            return Stage.TROOPS_DEPLOYED
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
            or self.backing
            or any(s.actor in PARTIES for s in self.stances)
        ):
            return Stage.RAPPROCHEMENT
        return Stage.NONE

    @property
    def joint_development(self) -> tuple[Warship, ...]:
        """Warships with Russian systems aboard (assessed or confirmed)."""
        return tuple(w for w in self.warships if w.joint_development)

    @property
    def casualty_ranges(self) -> tuple[Spread, ...]:
        """Per casualty measure, the range of the authors' current figures."""
        return spreads(self.casualties)

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
        or ``"arms.estimates.kp-containers-since-2023-09"``; a prefix such as
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
        return state_json(self)


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


def _record_figure(
    figures: tuple[Figure, ...],
    provenance: Provenance,
    key: str,
    estimate: Estimate,
    event: timeline.Event,
) -> tuple[tuple[Figure, ...], Provenance]:
    """Put an event's estimate among ``figures`` (in its author's series)
    and cite the event under ``key.<measure>.<author>`` if it is now the
    figure held."""
    figure = Figure(estimate=estimate, date=event.occurred, event=event.id)
    replaced = put_figure(figures, figure)
    if replaced is None:
        return figures, provenance
    fact = f"{key}.{estimate.measure}.{estimate.by}"
    return replaced, _cite(provenance, fact, event.id, replace=True)


def _listed(
    state: RelationshipState, field: str, item: object, event: timeline.Event
) -> RelationshipState:
    """``state`` with ``item`` appended to the tuple ``field``, citing the
    event under the fact ``field``."""
    changes: dict[str, Any] = {field: (*getattr(state, field), item)}
    changes["provenance"] = _cite(state.provenance, field, event.id)
    return attrs.evolve(state, **changes)


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


@Relationship.on(WarEpisode)
def _war_episode(state: _S, event: WarEpisode) -> _S:
    episode = Episode(
        name=event.name,
        date=event.occurred,
        initiator=event.initiator,
        place=event.place,
    )
    return attrs.evolve(
        state,
        war=attrs.evolve(state.war, episodes=(*state.war.episodes, episode)),
        provenance=_cite(state.provenance, "war.episodes", event.id),
    )


@Relationship.on(SummitHeld)
def _summit(state: _S, event: SummitHeld) -> _S:
    summit = Summit(date=event.occurred, place=event.place, leaders=event.leaders)
    return _listed(state, "summits", summit, event)


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


@Relationship.on(PersonnelAnnounced)
def _announced(state: _S, event: PersonnelAnnounced) -> _S:
    announcement = Announcement(
        announcer=event.announcer,
        kind=event.kind.value,
        date=event.occurred,
        count=event.count,
        destination=event.destination,
        roles=event.roles,
    )
    return _listed(state, "announcements", announcement, event)


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
    provenance = _cite(state.provenance, key, event.id)
    warships = state.warships
    if event.platform is not None:
        systems: RussianSystems = "assessed" if event.assessment else "confirmed"
        warships = tuple(
            _raise_systems(w, systems) if w.name == event.platform else w
            for w in warships
        )
        if warships != state.warships:
            provenance = _cite(provenance, f"warships.{event.platform}", event.id)
    return attrs.evolve(
        state, technology=tech, warships=warships, provenance=provenance
    )


def _raise_systems(ship: Warship, systems: RussianSystems) -> Warship:
    """``ship`` with Russian systems at least ``systems`` (never lowered)."""
    held = ship.russian_systems
    if held is not None and _SYSTEMS_RANK[held] >= _SYSTEMS_RANK[systems]:
        return ship
    return attrs.evolve(ship, russian_systems=systems)


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
    """Backing either way goes into ``backing``; Russia's backing of North
    Korea is also among the aid North Korea gets (``aid.backing``)."""
    entry = Backing(
        provider=event.provider,
        beneficiary=event.beneficiary,
        action=event.action,
        date=event.occurred,
    )
    provenance = _cite(state.provenance, "backing", event.id)
    aid = state.aid
    if (event.provider, event.beneficiary) == ("RU", "KP"):
        aid = attrs.evolve(aid, backing=_add(aid.backing, (event.action,)))
        provenance = _cite(provenance, "aid.backing", event.id)
    return attrs.evolve(
        state, backing=(*state.backing, entry), aid=aid, provenance=provenance
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
        new = attrs.evolve(new, russian_systems=old.russian_systems)
        if event.russian_systems is not None:
            new = _raise_systems(new, event.russian_systems)
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
    return _listed(state, "exercises", exercise, event)


@Relationship.on(ResponseTaken)
def _response(state: _S, event: ResponseTaken) -> _S:
    response = Response(actors=event.actors, measure=event.measure, date=event.occurred)
    return _listed(state, "responses", response, event)


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
    return _listed(state, "stances", stance, event)


@Relationship.on(MonitoringReported)
def _monitoring(state: _S, event: MonitoringReported) -> _S:
    report = Report(body=event.body, date=event.occurred, findings=event.findings)
    return _listed(state, "monitoring", report, event)


@Relationship.on(AssessmentMade)
def _assessment(state: _S, event: AssessmentMade) -> _S:
    assessment = Assessment(
        assessor=event.assessor,
        subject=event.subject,
        topic=event.topic,
        assessment=event.assessment,
        date=event.occurred,
    )
    return _listed(state, "assessments", assessment, event)


@Relationship.on(ClaimUnverified)
def _unverified(state: _S, event: ClaimUnverified) -> _S:
    note = Note(claim=event.claim, part=event.part, reason=event.reason)
    return _listed(state, "unverified", note, event)
