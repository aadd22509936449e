"""The Relationship state as plain JSON values: the ``certain`` and
``possible`` objects of ``timeline state --json`` (docs/cli-json.md)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from timeline import UncertainDate
from timeline.dataset._facets import Personnel
from timeline.dataset._figures import Figure, Spread, latest, spreads
from timeline.dataset.events import Estimate

if TYPE_CHECKING:
    from timeline.dataset.relationship import RelationshipState

__all__ = ["state_json"]


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


def _range_dict(spread: Spread) -> dict[str, Any]:
    return {
        "low": spread.low_value,
        "high": spread.high_value,
        "low_by": spread.low.estimate.by,
        "low_date": spread.low.date.to_edtf(),
        "low_event": spread.low.event,
        "high_by": spread.high.estimate.by,
        "high_date": spread.high.date.to_edtf(),
        "high_event": spread.high.event,
    }


def _figures_dict(figures: Iterable[Figure]) -> dict[str, Any]:
    """Per measure, the latest figure of any author (the documented
    one-object-per-measure form), with every author's current figure
    (``authors``) and the range across them (``range``)."""
    figures = tuple(figures)
    ranges = {spread.measure: spread for spread in spreads(figures)}
    out: dict[str, Any] = {}
    for measure, figure in sorted(latest(figures).items()):
        spread = ranges[measure]
        out[measure] = {
            **_estimate_dict(figure),
            "authors": [_estimate_dict(f) for f in spread.figures],
            "range": _range_dict(spread),
        }
    return out


def _count_dict(e: Estimate) -> dict[str, Any]:
    return {
        "low": e.low,
        "high": e.high,
        "qualifier": e.qualifier,
        "unit": e.unit,
        "by": e.by,
    }


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


def state_json(s: RelationshipState) -> dict[str, Any]:
    """The state as plain JSON values."""
    return {
        "stage": s.stage.value,
        "war": {
            "began": _edtf(s.war.began),
            "episodes": [
                {"name": e.name, "date": e.date.to_edtf()} for e in s.war.episodes
            ],
        },
        "summits": [
            {"date": x.date.to_edtf(), "place": x.place, "leaders": list(x.leaders)}
            for x in s.summits
        ],
        "treaty": {
            "name": s.treaty.name,
            "status": s.treaty.status,
            "signed": _edtf(s.treaty.signed),
            "in_force": _edtf(s.treaty.in_force),
            "mutual_defense": s.treaty.mutual_defense,
            "article": s.treaty.article,
            "ratifications": [
                {"party": r.party, "body": r.body, "date": r.date.to_edtf()}
                for r in s.treaty.ratifications
            ],
        },
        "troops": _personnel_dict(s.troops),
        "casualties": _figures_dict(s.casualties),
        "other_personnel": [_personnel_dict(p) for p in s.other_personnel],
        "arms": {
            "items": list(s.arms.items),
            "used_in_combat": list(s.arms.used_in_combat),
            "estimates": _figures_dict(s.arms.estimates),
        },
        "technology": {
            "domains": list(s.technology.domains),
            "assessed": list(s.technology.assessed),
        },
        "aid": {
            "kinds": list(s.aid.kinds),
            "estimates": _figures_dict(s.aid.estimates),
            "backing": list(s.aid.backing),
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
            for w in s.warships
        ],
        "exercises": [
            {
                "name": x.name,
                "date": x.date.to_edtf(),
                "participants": list(x.participants),
                "aircraft": list(x.aircraft),
                "kind": x.kind,
            }
            for x in s.exercises
        ],
        "alignments": [
            {"name": a.name, "members": list(a.members), "named": a.named.to_edtf()}
            for a in s.alignments
        ],
        "stances": [
            {"actor": x.actor, "stance": x.stance, "date": x.date.to_edtf()}
            for x in s.stances
        ],
        "monitoring": [
            {"body": r.body, "date": r.date.to_edtf(), "findings": list(r.findings)}
            for r in s.monitoring
        ],
        "announcements": [
            {
                "announcer": a.announcer,
                "kind": a.kind,
                "date": a.date.to_edtf(),
                "count": None if a.count is None else _count_dict(a.count),
                "destination": a.destination,
                "roles": list(a.roles),
            }
            for a in s.announcements
        ],
        "backing": [
            {
                "provider": b.provider,
                "beneficiary": b.beneficiary,
                "action": b.action,
                "date": b.date.to_edtf(),
            }
            for b in s.backing
        ],
        "responses": [
            {"actors": list(r.actors), "measure": r.measure, "date": r.date.to_edtf()}
            for r in s.responses
        ],
        "assessments": [
            {
                "assessor": a.assessor,
                "subject": a.subject,
                "topic": a.topic,
                "assessment": a.assessment,
                "date": a.date.to_edtf(),
            }
            for a in s.assessments
        ],
        "unverified": [
            {"claim": n.claim, "part": n.part, "reason": n.reason} for n in s.unverified
        ],
        "provenance": {fact: list(ids) for fact, ids in s.provenance},
    }
