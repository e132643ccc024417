"""Monitoring over time: outcomes joined to the stored scores, KPIs, thresholds, and the report over time.

`kpi` holds the numbers (pure numpy), `outcomes` joins an outcome file to the history's
scores, `evaluate` computes the KPIs per model, arm and period and says them in words, and
`timeline` draws the monitoring page with `bridge.report`. The monitor room sits above the
pipeline and the rollout's history; nothing below imports it.
"""
