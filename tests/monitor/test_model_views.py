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
    # the inverse of bridge.score.outputs.points_from_raw, the formula that wrote the points:
    # points = base + pdo / ln 2 * (ln(base odds) - raw), raw = logit(p)
    assert view.cut == pytest.approx(50 / 51)
    cuts = dict(view.band_cuts)
    assert list(cuts) == ["band<=X", "band<=Y"]
    assert cuts["band<=X"] == pytest.approx(100 / 101)  # 20 points fewer: the odds double
    assert cuts["band<=X"] > cuts["band<=Y"]  # fewer points, riskier, a higher probability
