"""The bundled timeline: North Korea–Russia military cooperation, 2022–2025.

Two layers of events in one log:

- the *programme* layer, recorded on 2025-07-14: every factual claim of a
  summary of NHK's 「クローズアップ現代」 broadcast that day, dated as the
  summary dates it ("2024-06", "2025", or ``../2025-07-14``, "before the
  broadcast", when it gives no date);
- the *verified* layer, recorded on the curation day (2026-12-04): every
  programme claim superseded by sourced, better-dated events or by a note
  saying why it cannot be verified, and further verified events, each with
  its source's title, URL, publisher, publication date, confidence and the
  sentence of the source that carries the fact.

So ``known_at="2025-07-14"`` gives the programme's picture, and the default
the corrected record:

>>> from timeline.dataset import Relationship, open_bundled
>>> log = open_bundled()
>>> then = log.state(Relationship, as_of="2024-12-15", known_at="2025-07-14")
>>> then.certain.treaty.status, then.possible.treaty.status
('signed', 'in_force')
>>> log.state(Relationship, as_of="2024-12-15").certain.treaty.status
'in_force'

The event types are in :mod:`timeline.dataset.events` and the projection in
:mod:`timeline.dataset.relationship`: copy them for a timeline of your own.
"""

from __future__ import annotations

import importlib.resources
import os
from pathlib import Path
from typing import Final

import timeline
from timeline._storage.jsonl import scan_bytes
from timeline.dataset.events import (
    AidProvided,
    AlignmentNamed,
    ArmsItem,
    ArmsTransferred,
    AssessmentMade,
    CasualtiesEstimated,
    ClaimUnverified,
    DiplomaticBacking,
    Estimate,
    EstimateQualifier,
    ExerciseHeld,
    LaunchOutcome,
    MonitoringReported,
    PersonnelAnnounced,
    PersonnelDeployed,
    PersonnelKind,
    ResponseTaken,
    RussianSystems,
    StanceStated,
    StoryEvent,
    SummitHeld,
    TechnologyTransferred,
    TreatyInForce,
    TreatyRatified,
    TreatySigned,
    WarBegan,
    WarEpisode,
    WarshipLaunched,
)
from timeline.dataset.relationship import (
    Relationship,
    RelationshipState,
    Stage,
    TreatyStatus,
)

__all__ = [
    "BUNDLED_NAME",
    "PROGRAMME_DAY",
    "VERIFIED_DAY",
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
    "Relationship",
    "RelationshipState",
    "ResponseTaken",
    "RussianSystems",
    "Stage",
    "StanceStated",
    "StoryEvent",
    "SummitHeld",
    "TechnologyTransferred",
    "TreatyInForce",
    "TreatyRatified",
    "TreatySigned",
    "TreatyStatus",
    "WarBegan",
    "WarEpisode",
    "WarshipLaunched",
    "bundled_path",
    "load_log",
    "open_bundled",
]

BUNDLED_NAME: Final = "nk_russia.jsonl"
PROGRAMME_DAY: Final = "2025-07-14"
"""The broadcast, and the day the programme layer was recorded."""
VERIFIED_DAY: Final = "2026-12-04"
"""The curation day: the verified layer was recorded then."""


def _checkout_path() -> Path:
    # src/timeline/dataset/__init__.py -> the repository's events/ folder
    return Path(__file__).resolve().parents[3] / "events" / BUNDLED_NAME


def bundled_path() -> Path:
    """The file of the bundled log: inside the installed package (a wheel
    ships it as ``timeline/dataset/nk_russia.jsonl``), or, in a checkout or
    an editable install, ``events/nk_russia.jsonl`` of the repository."""
    resource = importlib.resources.files(__name__) / BUNDLED_NAME
    if isinstance(resource, Path) and resource.is_file():
        return resource
    checkout = _checkout_path()
    if checkout.is_file():
        return checkout
    raise FileNotFoundError(
        f"the bundled log {BUNDLED_NAME} is neither in the installed package "
        f"nor at {str(checkout)!r}; reinstall timeline"
    )


def load_log(data: bytes, path: str | os.PathLike[str] = "<log>") -> timeline.Log:
    """An in-memory :class:`timeline.Log` of a JSON Lines log's bytes,
    after verifying its whole hash chain (``IntegrityError`` names the first
    bad line).  Reading needs no write access, so a log inside an installed
    package can be read.  A torn tail (an append that crashed) is left out,
    as every reader of the format does."""
    scan = scan_bytes(data, path)
    # (no clock: events already recorded are never refused as in the future)
    return timeline.Log((record.event for record in scan.records), clock=None)


def open_bundled() -> timeline.Log:
    """The bundled log, verified, as an in-memory :class:`timeline.Log`.

    >>> log = open_bundled()
    >>> log.get("prog-treaty-in-force").occurred
    UncertainDate('2024-12')
    >>> len(log) == log.count_known_at(None)  # every record, once
    True
    """
    resource = importlib.resources.files(__name__) / BUNDLED_NAME
    if resource.is_file():
        return load_log(resource.read_bytes(), f"{__name__}/{BUNDLED_NAME}")
    path = bundled_path()
    return load_log(path.read_bytes(), path)
