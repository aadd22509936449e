"""A family brewery, 1850–1990: a timeline of a user's own, which the
package does not ship.  The tests copy this folder elsewhere and run the
``timeline`` command in it, as a user would: ``--import brewery`` finds this
module in the current folder.

Four event types, a projection (``history``) folding them into a
``Brewery`` state, and a lane function for the chart (``by_generation``).
"""

from __future__ import annotations

import enum

import attrs

import timeline


class Style(enum.Enum):
    LAGER = "lager"
    DARK = "dark"
    WHEAT = "wheat"
    BOCK = "bock"


class How(enum.Enum):
    FOUNDED = "founded"
    INHERITED = "inherited"
    BOUGHT = "bought"


@timeline.event_type("brewery.founded")
class Founded(timeline.Event):
    name: str
    founder: str
    town: str


@timeline.event_type("brewery.owner_changed")
class OwnerChanged(timeline.Event):
    owner: str
    how: How


@timeline.event_type("brewery.beer_introduced")
class BeerIntroduced(timeline.Event):
    beer: str
    style: Style
    strength: float | None = None


@timeline.event_type("brewery.output_measured")
class OutputMeasured(timeline.Event):
    year: int
    hectolitres: int


@attrs.frozen
class Beer:
    name: str
    style: Style
    since: timeline.UncertainDate


@attrs.frozen
class Brewery:
    name: str | None = None
    town: str | None = None
    founded: timeline.UncertainDate | None = None
    owner: str | None = None
    owners: tuple[str, ...] = ()
    beers: tuple[Beer, ...] = ()
    output: dict[str, int] = attrs.field(factory=dict)


history = timeline.Projection(initial=Brewery(), name="The brewery")


@history.on(Founded)
def _founded(state: Brewery, event: Founded) -> Brewery:
    return attrs.evolve(
        state,
        name=event.name,
        town=event.town,
        founded=event.occurred,
        owner=state.owner or event.founder,
        owners=state.owners or (event.founder,),
    )


@history.on(OwnerChanged)
def _owner(state: Brewery, event: OwnerChanged) -> Brewery:
    if event.owner in state.owners:
        return state
    return attrs.evolve(state, owner=event.owner, owners=(*state.owners, event.owner))


@history.on(BeerIntroduced)
def _beer(state: Brewery, event: BeerIntroduced) -> Brewery:
    if any(beer.name == event.beer for beer in state.beers):
        return state
    beer = Beer(name=event.beer, style=event.style, since=event.occurred)
    return attrs.evolve(state, beers=(*state.beers, beer))


@history.on(OutputMeasured)
def _output(state: Brewery, event: OutputMeasured) -> Brewery:
    output = {**state.output, str(event.year): event.hectolitres}
    return attrs.evolve(state, output=output)


def by_generation(event: timeline.Event) -> str:
    """A lane per generation of the family, by the event's tags."""
    for tag in event.tags:
        if tag.startswith("generation-"):
            return tag.replace("-", " ")
    return "the business"
