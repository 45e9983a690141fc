"""The settings object: frozen, hashable, validated once with messages a person can act on."""

import dataclasses

import pytest

from clv.errors import OrdersError
from clv.settings import Settings


def test_settings_are_frozen_and_hashable_for_caching():
    settings = Settings()
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.method = "range"
    assert hash(settings) == hash(Settings()) and settings.with_(method="range") != settings


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"tier_cuts": (7, 5)}, "Tier cuts"),
        ({"tier_cuts": (3, 7)}, "Tier cuts"),
        ({"window_days": 0}, "window"),
        ({"margin": 1.5}, "margin"),
        ({"conversion_rate": 0}, "conversion rate"),
        ({"method": "kmeans"}, "Scoring method"),
        ({"cac": -1.0}, "Cac cannot be negative"),
        ({"horizon_days": 0}, "horizon must be at least 1 day"),
    ],
    ids=["cuts-reversed", "cut-below-range", "empty-window", "margin-over-100", "zero-conversion", "method", "cac",
         "no-horizon"],
)
def test_nonsense_is_refused_with_a_reason(changes, message):
    with pytest.raises(OrdersError, match=message):
        Settings(**changes)


@pytest.mark.parametrize(
    ("changes", "cac"),
    [({}, None), ({"marketing_spend": 1000.0, "new_customers": 40}, 25.0),
     ({"marketing_spend": 1000.0, "new_customers": 40, "cac": 30.0}, 30.0),
     ({"marketing_spend": 1000.0, "new_customers": 0}, None)],
    ids=["unknown", "spend-over-new", "given-wins", "no-new-customers"],
)
def test_acquisition_cost(changes, cac):
    assert Settings(**changes).acquisition_cost == cac

