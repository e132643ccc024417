"""The journal as a state machine (hypothesis.stateful): whatever order rows begin, advance, are
adopted, forgotten or survive a reopen (a crash), it tells exactly what a model of it says."""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, consumes, invariant, rule

from bridge.pipeline.journal import FINAL_STATES, Journal

NEXT = {
    "claiming": ("claimed",),
    "claimed": ("fetched", "duplicate-fetched", "giving-back"),
    "fetched": ("processed", "rejected"),
    "processed": ("delivered",),
    "delivered": ("reported",),
    "rejected": ("reported",),
    "reported": ("done",),
    "duplicate-fetched": ("duplicate",),
}
GENERATION_AT = {"processed", "rejected"}  # where the runner hands out an output generation


class JournalMachine(RuleBasedStateMachine):
    rows = Bundle("rows")

    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="bridge-journal-"))
        self.journal = Journal(self.folder / "journal.sqlite", timeout=5.0)
        self.model: dict[int, dict] = {}

    def teardown(self) -> None:
        self.journal.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    @rule(target=rows, name=st.sampled_from(["A.dat", "B.dat", "C.dat"]), owner=st.sampled_from(["p1", "p2"]))
    def begin(self, name: str, owner: str) -> int:
        row = self.journal.begin(name, 117, 0.0, "tok", f".{name}.claim-tok", None, owner=owner)
        self.model[row.id] = {"state": "claiming", "owner": owner, "generation": None, "name": name}
        return row.id

    @rule(row_id=rows, choice=st.integers(0, 2))
    def advance(self, row_id: int, choice: int) -> None:
        expected = self.model.get(row_id)
        if expected is None or expected["state"] not in NEXT:
            return
        options = NEXT[expected["state"]]
        state = options[choice % len(options)]
        row = self.journal.get(row_id)
        new = self.journal.advance(row, state, generation=state in GENERATION_AT,
                                   output_name=(lambda gen: f"OUT.G{gen:04d}") if state in GENERATION_AT else None)
        expected["state"] = state
        if state in GENERATION_AT:
            expected["generation"] = expected["generation"] or new.generation
            assert new.output_name == f"OUT.G{new.generation:04d}"

    @rule(row_id=rows, owner=st.sampled_from(["p1", "p2", "p3"]))
    def adopt_twice(self, row_id: int, owner: str) -> None:
        expected = self.model.get(row_id)
        if expected is None:
            return
        stale = self.journal.get(row_id)
        first = self.journal.adopt(stale, owner)
        second = self.journal.adopt(stale, "someone-else")  # the same stale view: exactly one winner
        assert first is not None and first.owner == owner
        assert second is None or stale.owner == owner
        expected["owner"] = owner if second is None else "someone-else"

    @rule(row_id=consumes(rows))
    def forget_a_row_whose_claim_never_happened(self, row_id: int) -> None:
        expected = self.model.get(row_id)
        if expected is None or expected["state"] not in ("claiming", "giving-back"):
            return
        self.journal.forget(self.journal.get(row_id), "test")
        del self.model[row_id]

    @rule()
    def crash_and_reopen(self) -> None:
        self.journal.close()
        self.journal = Journal(self.folder / "journal.sqlite", timeout=5.0)

    @invariant()
    def unfinished_rows_are_exactly_the_modelled_ones_oldest_first(self) -> None:
        want = [i for i in sorted(self.model) if self.model[i]["state"] not in FINAL_STATES]
        assert [r.id for r in self.journal.unfinished()] == want

    @invariant()
    def every_row_has_the_modelled_state_owner_and_generation(self) -> None:
        for row in self.journal.rows(limit=1000):
            expected = self.model[row.id]
            assert (row.state, row.owner, row.generation, row.name) == (
                expected["state"], expected["owner"], expected["generation"], expected["name"])
        assert len(self.journal.rows(limit=1000)) == len(self.model)

    @invariant()
    def generations_are_never_shared(self) -> None:
        gens = [m["generation"] for m in self.model.values() if m["generation"] is not None]
        assert len(gens) == len(set(gens))


JournalMachine.TestCase.settings = settings(max_examples=12, stateful_step_count=20, deadline=None)
test_the_journal_tells_what_a_model_of_it_says = JournalMachine.TestCase
