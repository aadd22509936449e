"""Allen's interval relations over periods whose ends are uncertain.

A period is a run of whole days ``[s, e]`` (inclusive, ``s <= e``) whose
start ``s`` lies somewhere in ``[s_lo, s_hi]`` and end ``e`` in
``[e_lo, e_hi]``: a *box* ``(s_lo, s_hi, e_lo, e_hi)``.  Every relation here
is a conjunction of bounds on differences between an end of one period and
an end of the other (``x - y <= c``), so "does it hold for every possible
pair of periods?" and "for none?" are questions about a system of difference
constraints: it has an integer solution exactly when its constraint graph
has no negative cycle.  Five nodes (zero and the four ends) make that a few
hundred integer operations, exact for any years, with no enumeration.
"""

from __future__ import annotations

import enum
from typing import Final, TypeAlias

__all__ = ["AllenRelation", "Box", "Pair"]

Box: TypeAlias = tuple[int, int, int, int]
# One constraint x[v] - x[u] <= c, over the nodes 0 (zero), 1 (start of the
# first period), 2 (its end), 3 (start of the second), 4 (its end).
_Atom: TypeAlias = tuple[int, int, int]
_S1, _E1, _S2, _E2 = 1, 2, 3, 4
_NODES: Final = range(5)


def _le(x: int, y: int, c: int = 0) -> _Atom:
    """``x - y <= c``."""
    return (y, x, c)


def _eq(x: int, y: int) -> tuple[_Atom, _Atom]:
    return _le(x, y), _le(y, x)


class AllenRelation(enum.Enum):
    """The thirteen relations of Allen's interval algebra (1983), on days.

    Periods are runs of whole days: ``MEETS`` means the second period starts
    the day after the first ends, ``BEFORE`` that at least one day lies
    between them.  For any two periods known to the day exactly one holds.
    The names follow the W3C Time Ontology (``intervalBefore``, ...); each
    is also a method of :class:`~timeline.UncertainDate`
    (``interval_before``, ...).
    """

    BEFORE = "before"
    MEETS = "meets"
    OVERLAPS = "overlaps"
    STARTS = "starts"
    DURING = "during"
    FINISHES = "finishes"
    EQUALS = "equals"
    FINISHED_BY = "finished_by"
    CONTAINS = "contains"
    STARTED_BY = "started_by"
    OVERLAPPED_BY = "overlapped_by"
    MET_BY = "met_by"
    AFTER = "after"

    @property
    def inverse(self) -> AllenRelation:
        """The relation with the periods swapped (``BEFORE`` -> ``AFTER``)."""
        return _INVERSE[self]


_ATOMS: Final[dict[AllenRelation, tuple[_Atom, ...]]] = {
    AllenRelation.BEFORE: (_le(_E1, _S2, -2),),
    AllenRelation.MEETS: (_le(_E1, _S2, -1), _le(_S2, _E1, 1)),
    AllenRelation.OVERLAPS: (_le(_S1, _S2, -1), _le(_S2, _E1), _le(_E1, _E2, -1)),
    AllenRelation.STARTS: (*_eq(_S1, _S2), _le(_E1, _E2, -1)),
    AllenRelation.DURING: (_le(_S2, _S1, -1), _le(_E1, _E2, -1)),
    AllenRelation.FINISHES: (_le(_S2, _S1, -1), *_eq(_E1, _E2)),
    AllenRelation.EQUALS: (*_eq(_S1, _S2), *_eq(_E1, _E2)),
}
_SWAP: Final = {0: 0, _S1: _S2, _E1: _E2, _S2: _S1, _E2: _E1}
_INVERSE: Final = {
    AllenRelation.BEFORE: AllenRelation.AFTER,
    AllenRelation.MEETS: AllenRelation.MET_BY,
    AllenRelation.OVERLAPS: AllenRelation.OVERLAPPED_BY,
    AllenRelation.STARTS: AllenRelation.STARTED_BY,
    AllenRelation.DURING: AllenRelation.CONTAINS,
    AllenRelation.FINISHES: AllenRelation.FINISHED_BY,
    AllenRelation.EQUALS: AllenRelation.EQUALS,
}
_INVERSE.update({v: k for k, v in list(_INVERSE.items())})
for _relation, _inverse in list(_INVERSE.items()):
    if _relation not in _ATOMS:
        _ATOMS[_relation] = tuple(
            (_SWAP[u], _SWAP[v], c) for u, v, c in _ATOMS[_inverse]
        )
# Not Allen's: the periods share at least one day; the first includes every
# day of the second.
SHARE_A_DAY: Final = (_le(_S1, _E2), _le(_S2, _E1))
INCLUDES: Final = (_le(_S1, _S2), _le(_E2, _E1))


class Pair:
    """Two boxes, with the tightest bound on every difference of ends.

    ``dist[u][v]`` is the least ``c`` with ``x[v] - x[u] <= c`` implied by
    the boxes and ``s <= e`` (the shortest path in the constraint graph).
    """

    __slots__ = ("dist",)

    def __init__(self, first: Box, second: Box) -> None:
        inf = float("inf")
        dist: list[list[float]] = [[inf] * 5 for _ in _NODES]
        for node in _NODES:
            dist[node][node] = 0
        for node, (lo, hi) in (
            (_S1, first[:2]),
            (_E1, first[2:]),
            (_S2, second[:2]),
            (_E2, second[2:]),
        ):
            dist[0][node] = hi
            dist[node][0] = -lo
        dist[_E1][_S1] = 0  # s <= e in each period
        dist[_E2][_S2] = 0
        for k in _NODES:
            dk = dist[k]
            for i in _NODES:
                dik = dist[i][k]
                if dik == inf:
                    continue
                di = dist[i]
                for j in _NODES:
                    if dik + dk[j] < di[j]:
                        di[j] = dik + dk[j]
        self.dist = dist

    def possible(self, atoms: tuple[_Atom, ...]) -> bool:
        """Do some two periods of the boxes satisfy every atom at once?"""
        dist = self.dist
        if len(atoms) == 1:
            u, v, c = atoms[0]
            return c + dist[v][u] >= 0
        # Add the atoms one by one to a copy of the shortest paths; a
        # negative cycle through the zero node means no solution.
        d = [row[:] for row in dist]
        for u, v, c in atoms:
            if c + d[v][u] < 0:
                return False
            for i in _NODES:
                diu = d[i][u] + c
                di = d[i]
                dv = d[v]
                for j in _NODES:
                    through = diu + dv[j]
                    if through < di[j]:
                        di[j] = through
        return all(d[i][i] >= 0 for i in _NODES)

    def certain(self, atoms: tuple[_Atom, ...]) -> bool:
        """Do every two periods of the boxes satisfy every atom?"""
        # An atom x[v] - x[u] <= c fails somewhere exactly when
        # x[u] - x[v] <= -c - 1 is possible.
        dist = self.dist
        return all(-c - 1 + dist[u][v] < 0 for u, v, c in atoms)

    def relation(self, atoms: tuple[_Atom, ...]) -> tuple[bool, bool]:
        """(holds for every pair of periods, holds for none)."""
        if self.certain(atoms):
            return True, False
        return False, not self.possible(atoms)


def atoms_of(relation: AllenRelation) -> tuple[_Atom, ...]:
    return _ATOMS[relation]
