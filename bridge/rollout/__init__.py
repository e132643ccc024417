"""Rollout: a challenger model introduced step by step beside the champion, and the history of every run.

`history` keeps what each run did (SQLite + per-record Parquet); `routing` sends each record to
an arm by a hash of its key's bytes; `guardrails` decides when the challenger is set aside;
`config` holds the ``[rollout]``/``[history]`` settings of a job; `ramp` moves the share.
Layering: rollout uses score; the pipeline uses rollout.
"""
