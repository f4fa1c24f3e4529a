"""Fixtures of the security suites: one citizen with a visit at a known facility and ward, put
there through the platform as a hospital would, shared by the suites that act around them."""

from __future__ import annotations

import pytest

from tests.citizens import (  # noqa: F401  (the suites import the names from here)
    FACILITY,
    OTHER_FACILITY,
    OTHER_WARD,
    WARD,
    Citizen,
    make_citizen,
)


@pytest.fixture(scope="session")
async def citizen(platform_up, engines_up) -> Citizen:
    return await make_citizen()
