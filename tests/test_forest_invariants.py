"""Invariants of the forest Monte Carlo (hypothesis): bounds, timing, monotonicity."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from siting.forest.carbon import max_tco2e_per_ha
from siting.forest.sequestration import iter_stock_draws, plan_sites
from siting.io.species import known_species, load_species_library
from siting.scenario.base import Uncertain
from siting.scenario.forest import ForestSpec

N_DRAWS = 16
#: Every shipped species, as the forest functions take them.
SPECIES = load_species_library(known_species())


def fixed(value: float) -> Uncertain:
    return Uncertain(value=value, source="test")


def ranged(value: float, low: float, high: float) -> Uncertain:
    if low == high:
        return fixed(value)
    return Uncertain(value=value, low=low, high=high, distribution="triangular")


@st.composite
def scenarios(draw):
    n_sites = draw(st.integers(1, 5))
    sites = pd.DataFrame(
        {
            "site_id": [f"S{i}" for i in range(n_sites)],
            "area_ha": draw(st.lists(st.floats(1.0, 3000.0), min_size=n_sites, max_size=n_sites)),
            "score_mean": draw(st.lists(st.floats(0.0, 1.0), min_size=n_sites, max_size=n_sites)),
            # 800 m is temperate continental near Mörön, 1,300-2,300 m boreal, above polar
            "elevation_m_mean": draw(
                st.lists(st.floats(800.0, 2600.0), min_size=n_sites, max_size=n_sites)
            ),
        }
    )
    climate = {s: draw(st.sampled_from([2, 3, 4, 5])) for s in sites["site_id"]}
    survival = draw(st.floats(0.05, 1.0))
    p = draw(st.floats(0.0, 0.3))
    loss = draw(st.floats(0.0, 1.0))
    mortality = draw(st.floats(0.0, 0.05))
    spec = ForestSpec(
        species=draw(st.sampled_from(known_species())),
        horizon_year=2028 + draw(st.integers(0, 40)),
        planting_capacity_ha_per_year=draw(st.floats(50.0, 5000.0)),
        survival=ranged(survival, max(0.01, survival - 0.2), min(1.0, survival + 0.05)),
        replanting_fraction=draw(st.floats(0.0, 1.0)),
        background_mortality_per_year=ranged(mortality, 0.0, mortality),
        fire={"probability_per_year": ranged(p, 0.0, p), "loss_fraction": ranged(loss, 0.0, loss)},
        n_draws=N_DRAWS,
        block_mib=draw(st.sampled_from([0.001, 1.0])),
    )
    return sites, climate, spec, draw(st.integers(0, 2**16))


def stocks(plan, spec, seed) -> np.ndarray:
    out = np.zeros((N_DRAWS, len(plan.site_ids), plan.years.size))
    for idx, block in iter_stock_draws(plan, spec, seed):
        out[:, idx] = block
    return out


@pytest.mark.filterwarnings("ignore:reforestation sites")  # polar sites are left unplanted
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=scenarios())
def test_stocks_are_bounded_and_start_with_planting(case):
    sites, climate, spec, seed = case
    plan = plan_sites(sites, spec, SPECIES, climate)
    stock = stocks(plan, spec, seed)
    # never negative (baseline and soil are 0 by default)
    assert np.all(stock >= 0)
    # never above the species cap (largest root:shoot and carbon fraction of any draw) times the
    # area planted so far
    cap = max(
        (max_tco2e_per_ha(stand, upper=True) for stand in plan.parameters.values()), default=0.0
    )
    planted = np.cumsum(plan.schedule.new_ha_until(plan.years.size), axis=1)
    assert np.all(stock <= cap * planted[None] * (1 + 1e-9) + 1e-9)
    # zero before the site's first planting
    first = plan.schedule.first_planting_year()
    before = plan.years[None, :] < first[:, None]
    assert np.all(stock[:, before] == 0)
    # planting never exceeds the capacity; all area is eventually planted
    schedule = plan.schedule
    assert np.all(schedule.planted_ha_per_year <= spec.planting_capacity_ha_per_year * (1 + 1e-12))
    # polar sites (Köppen E) are left out: larch has no Tier 1 values there
    planned = sites.set_index("site_id").loc[plan.site_ids, "area_ha"]
    np.testing.assert_allclose(schedule.new_ha.sum(axis=1), planned, rtol=1e-9)


@pytest.mark.filterwarnings("ignore:reforestation sites")
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=scenarios(), lower=st.floats(0.05, 1.0), higher=st.floats(0.05, 1.0))
def test_stock_is_monotone_in_survival(case, lower, higher):
    """Same plan, same draws of everything else: more survivors never mean less carbon."""
    sites, climate, spec, seed = case
    lower, higher = sorted((lower, higher))
    plan = plan_sites(sites, spec, SPECIES, climate)
    low = stocks(plan, spec.model_copy(update={"survival": fixed(lower)}), seed)
    high = stocks(plan, spec.model_copy(update={"survival": fixed(higher)}), seed)
    assert np.all(high >= low * (1 - 1e-12) - 1e-9)
