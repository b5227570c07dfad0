"""The network picture shared by a run's plots and the dashboard (sim/charts.py)."""

import numpy as np

from sim.model import LoyaltyModel
from sim.runs import charts
from tests.helpers import small_config


def _model() -> LoyaltyModel:
    model = LoyaltyModel(small_config(n=600, steps=4))
    model.run_for(4)
    return model


def test_a_large_market_is_drawn_as_one_customers_neighbourhood():
    model = _model()
    sample = charts.NetworkSample.of(model, 80)
    assert len(sample.nodes) == 80 and np.all(np.diff(sample.nodes) > 0)
    assert model.consumers.provider[sample.nodes].tolist().count(0) > 0
    among = model.network[sample.nodes][:, sample.nodes]
    # every tie among the drawn consumers, each drawn once (x, y of both ends, then a gap)
    assert sample.ties.shape == (2, 3 * among.nnz // 2)
    assert np.isnan(sample.ties[:, 2::3]).all()
    assert sample.positions.shape == (80, 2)
    whole = charts.NetworkSample.of(model, 10_000)
    assert len(whole.nodes) == model.config.population.n


def test_the_picture_shows_each_provider_and_sizes_by_weekly_value():
    model = _model()
    sample = charts.NetworkSample.of(model, 200)
    ax = charts.network(model, sample).axes[0]
    prospects, *firms = ax.collections
    provider = model.consumers.provider[sample.nodes]
    assert len(firms) == len(model.market.names)
    assert [len(f.get_offsets()) for f in firms] == [
        int((provider == f).sum()) for f in range(len(firms))
    ]
    assert len(prospects.get_offsets()) == int((provider == -1).sum())
    # within one segment, the more loyal customer is drawn larger
    focal = sample.nodes[provider == 0]
    loyalty, area = model.consumers.loyalty[focal], firms[0].get_sizes()
    segment = model.consumers.segment[focal]
    same = segment == segment[0]
    assert np.all(np.diff(area[same][np.argsort(loyalty[same])]) >= -1e-9)
    assert np.ptp(area[same]) > 0
