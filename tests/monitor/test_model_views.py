"""What the evaluation reads from a card: the decision cut and the band bounds, as stored scores (probabilities)."""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from bridge.monitor.evaluate import model_views
from bridge.score.card import Band, BandOutput, ModelCard, PointsScale
from tests.conftest import ROOT

CARD = ModelCard.load(ROOT / "models" / "customer-risk" / "card.toml")


def test_a_probability_card_gives_its_reasons_cut_and_a_cut_per_band_boundary():
    view = model_views([CARD])["CUSTRISK"]
    assert view.cut == 0.15  # when = "score>=0.15"
    names = [name for name, _ in view.band_cuts]
    assert names == ["band>=B", "band>=C", "band>=D"]
    assert dict(view.band_cuts)["band>=D"] > 0.40 and dict(view.band_cuts)["band>=D"] == pytest.approx(0.40)


def test_a_points_card_has_its_cut_and_bands_turned_into_probabilities_lower_points_riskier():
    outputs = CARD.outputs
    points = replace(outputs, score=replace(outputs.score, scale="points",
                                            points=PointsScale(base_points=600, base_odds=50, pdo=20)),
                     reasons=replace(outputs.reasons, when="score<=600"),
                     band=BandOutput(field=outputs.band.field,
                                     bands=(Band(Decimal("580"), "X"), Band(Decimal("620"), "Y"),
                                            Band(Decimal("999"), "Z"))))
    view = model_views([replace(CARD, outputs=points)])["CUSTRISK"]
    # 600 points are good:bad odds of 50, a bad probability of 1/51 (bridge.score.outputs.points_from_raw)
    assert view.cut == pytest.approx(1 / 51)
    cuts = dict(view.band_cuts)
    assert list(cuts) == ["band<=X", "band<=Y"]
    assert cuts["band<=X"] == pytest.approx(1 / 26)  # 20 points fewer: the good:bad odds halve
    assert cuts["band<=X"] > cuts["band<=Y"]  # fewer points, riskier, a higher probability


def test_the_points_inverse_undoes_the_formula_that_wrote_the_points():
    import numpy as np

    from bridge.monitor.evaluate import _points_to_probability
    from bridge.score.outputs import points_from_raw

    scale = PointsScale(base_points=600, base_odds=50, pdo=20)
    convert = _points_to_probability(scale)
    for p in (0.001, 0.02, 0.3, 0.9):
        raw = np.log(p / (1 - p))
        points = float(points_from_raw(np.array([raw]), base_points=600, base_odds=50, pdo=20)[0])
        assert convert(points) == pytest.approx(p, rel=1e-12)
