"""Running tests under hypothesis, for :mod:`timeline.testing`."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Any, Final

import hypothesis
from hypothesis import strategies as st
from hypothesis.errors import Flaky, InvalidArgument

# For timeline.testing, which reaches hypothesis only through this package.

_SETTING_NAMES: Final = tuple(
    name
    for name in inspect.signature(hypothesis.settings).parameters
    if name != "parent"
)


def _run(
    test: Callable[[Callable[..., Any]], None],
    options: Mapping[str, Any],
    *,
    key: str,
    where: str,
    defaults: Mapping[str, Any],
    flaky: Callable[[BaseException], BaseException],
) -> None:
    """Run ``test(draw)`` under hypothesis with ``options`` as its settings,
    over ``defaults``; ``key`` tells tests apart in the example database.
    A test that passes and fails on the same draws raises ``flaky(error)``."""
    unknown = [name for name in options if name not in _SETTING_NAMES]
    if unknown:
        raise InvalidArgument(
            f"{where}: {unknown[0]}={options[unknown[0]]!r} is not a hypothesis "
            f"setting (these are: {', '.join(_SETTING_NAMES)})"
        )
    suppressed = {hypothesis.HealthCheck.too_slow}
    merged = {"suppress_health_check": suppressed, **defaults, **options}
    chosen = hypothesis.settings(**merged)

    @chosen
    @hypothesis.given(st.data())
    def laws(data: st.DataObject) -> None:
        test(data.draw)

    inner: Any = laws.hypothesis.inner_test  # type: ignore[attr-defined]
    inner._hypothesis_internal_add_digest = key.encode("utf-8")
    try:
        laws()
    except Flaky as error:
        raise flaky(error) from error
