"""Kit unit tests: the consumer loop's shared behaviour suite gets pytest's assertion messages."""

from __future__ import annotations

import pytest

pytest.register_assert_rewrite("loop_suite")
