"""Hypothesis strategies for copybook text, well-formed and hostile: shared by the fuzz tests and
``bench/fuzz_copybook.py`` (the longer run).

`copybook_text` builds entries from real clauses with hostile values mixed in (huge counts and
repeat factors, deep nesting, names like ``:TAG:``, missing periods, truncated lines);
`token_soup` strings COBOL words and punctuation together at random; `raw_text` is any text
over the characters copybooks use. `COPY_MEMBERS` are library members that include themselves,
each other, or twice over at every level, for the COPY statements the strategies emit.
"""
from __future__ import annotations

from pathlib import Path

from hypothesis import strategies as st

__all__ = ["COPY_MEMBERS", "copybook_text", "raw_text", "token_soup", "write_members"]

HUGE = ["0", "1", "2", "7", "31", "32", "76", "77", "999999999", "1000000000", "99999999999999999999",
        "9" * 50, "1" + "0" * 5000]
NAMES = ["A", "B", "CNT", "TBL", "REC-1", "FILLER", ":TAG:-REC", "X(3)", "COUNT", "01", "PIC", "N-1"]
PIC_SYMBOLS = list("AX9SVPZ*+-.,B0/NG$") + ["CR", "DB"]
USAGES = ["COMP", "COMP-3", "COMP-5", "COMP-1", "COMP-2", "BINARY", "PACKED-DECIMAL", "DISPLAY",
          "NATIONAL", "DISPLAY-1", "INDEX", "POINTER", "COMP-X", "COMP-6", "BINARY-CHAR", "BINARY-LONG",
          "BINARY-SHORT UNSIGNED", "BINARY-DOUBLE SIGNED"]
WORDS = ["01", "05", "10", "49", "66", "77", "88", "99", "PIC", "PICTURE", "X", "9(5)", "S9(4)", "COMP",
         "COMP-3", "OCCURS", "TO", "TIMES", "DEPENDING", "ON", "REDEFINES", "VALUE", "VALUES", "THRU",
         "SPACES", "ZEROS", "ALL", "SYNC", "SIGN", "LEADING", "SEPARATE", "RENAMES", "COPY", "REPLACING",
         "BY", "==", "==:TAG:==", "LEADING", "INDEXED", "KEY", "ASCENDING", "A", "B", "CNT", ".", "(", ")",
         "'text'", '"quo', "X'C1'", "X'ZZ'", "-1.5E+7", "99999999999999999999", "FILLER", "GROUP-USAGE",
         "++INCLUDE", "-INC", "REPLACE", "OFF", "*", "/", "\t", "\n"]

THRU_VALUES = ["1", "SPACES", '"Z"']

COPY_MEMBERS = {
    "SELF.cpy": "       05 S1 PIC X.\n       COPY SELF.\n",
    "PING.cpy": "       05 P1 PIC X.\n       COPY PONG.\n",
    "PONG.cpy": "       05 P2 PIC X.\n       COPY PING.\n",
    "GOOD.cpy": "       05 G1 PIC X(4).\n       05 G2 PIC S9(5) COMP-3.\n",
    "TAGGED.cpy": "       05 :TAG:-ID PIC X(4).\n",
    "OPEN.cpy": "       05 O1 PIC X.\n       COPY GOOD REPLACING ==G1== BY\n",
    **{f"BOMB{i}.cpy": f"       COPY BOMB{i + 1}.\n       COPY BOMB{i + 1}.\n" for i in range(30)},
    "BOMB30.cpy": "       05 LEAF PIC X.\n",
}
COPIES = ["COPY SELF.", "COPY PING.", "COPY GOOD.", "COPY TAGGED REPLACING ==:TAG:== BY ==CUST==.",
          "COPY OPEN.", "COPY MISSING.", "COPY GOOD REPLACING ==G1== BY", "COPY",
          "COPY GOOD REPLACING ==G1== BY ==.", "++INCLUDE GOOD", "-INC GOOD"]


def write_members(directory: Path) -> Path:
    """Write `COPY_MEMBERS` into ``directory`` and return it."""
    for name, text in COPY_MEMBERS.items():
        (directory / name).write_text(text, encoding="utf-8")
    return directory


@st.composite
def pictures(draw) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 5))):
        parts.append(draw(st.sampled_from(PIC_SYMBOLS)))
        if draw(st.booleans()):
            parts.append(f"({draw(st.sampled_from(HUGE + ['', '3', '-1', 'A']))})")
    return "".join(parts)


@st.composite
def clauses(draw) -> str:
    out = []
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["pic", "usage", "occurs", "odo", "redefines", "value", "sync", "sign",
                                     "junk", "group-usage"]))
        if kind == "pic":
            out.append(f"PIC {draw(pictures())}")
        elif kind == "usage":
            out.append(draw(st.sampled_from(USAGES)))
        elif kind == "occurs":
            out.append(f"OCCURS {draw(st.sampled_from(HUGE))} TIMES")
        elif kind == "odo":
            out.append(f"OCCURS {draw(st.sampled_from(HUGE))} TO {draw(st.sampled_from(HUGE))} "
                       f"DEPENDING ON {draw(st.sampled_from(NAMES))}")
        elif kind == "redefines":
            out.append(f"REDEFINES {draw(st.sampled_from(NAMES))}")
        elif kind == "value":
            out.append("VALUE " + draw(st.sampled_from(["SPACES", "ZERO", "'A'", "-1.25", "1E99999",
                                                         "X'C1'", "ALL '*'", "99999999999999999999",
                                                         "1" * 90])))
        elif kind == "sync":
            out.append("SYNC")
        elif kind == "sign":
            out.append("SIGN LEADING SEPARATE")
        elif kind == "group-usage":
            out.append("GROUP-USAGE NATIONAL")
        else:
            out.append(draw(st.sampled_from(WORDS)))
    return " ".join(out)


GOOD_CLAUSES = ["PIC X(10)", "PIC S9(7)V99 COMP-3", "PIC S9(4) COMP", "PIC 9(5)", "PIC X OCCURS 5 TIMES",
                "COMP-2", "PIC -ZZ,ZZ9.99", "PIC S9(31)", "PIC S9(5) SIGN LEADING SEPARATE", "PIC N(4)",
                "PIC S9(9) COMP-5 SYNC", "PIC 9(3)PPP", "PIC X(4) VALUE SPACES", "PIC 9 VALUE 7"]


@st.composite
def copybook_text(draw) -> str:
    """Fixed-format copybook text: mostly real entries, with hostile values and damage mixed in."""
    lines = ["       01 R."]
    serial = 0
    for _ in range(draw(st.integers(1, 20))):
        serial += 1
        name = f"F{serial}"
        damage = draw(st.integers(0, 9)) == 0
        what = draw(st.sampled_from(["field"] * 8 + ["group", "odo", "redefines", "cond"]))
        if damage:
            what = draw(st.sampled_from(["entry", "deeper", "copy", "cond", "renames", "comment",
                                         "truncate"]))
        if what == "field":
            lines.append(f"           05 {name} {draw(st.sampled_from(GOOD_CLAUSES))}.")
        elif what == "group":
            times = draw(st.sampled_from(["", " OCCURS 2 TIMES", " OCCURS 3"]))
            lines.append(f"           05 {name}{times}.")
            for k in range(draw(st.integers(1, 3))):
                lines.append(f"               10 {name}-{k} {draw(st.sampled_from(GOOD_CLAUSES))}.")
        elif what == "odo":
            lines.append(f"           05 {name}-N PIC S9(4) COMP.")
            lines.append(f"           05 {name} PIC X(2) OCCURS 0 TO {draw(st.integers(1, 9))} "
                         f"DEPENDING ON {name}-N.")
        elif what == "redefines" and serial > 1:
            lines.append(f"           05 {name} REDEFINES F{serial - 1} PIC X(3).")
        elif what == "deeper":
            depth = draw(st.integers(6, 60))
            lines.append(f"       {depth:02d} {name} {draw(clauses())}.")
        elif what == "entry":
            level = draw(st.sampled_from(["05", "10", "01", "77", "49", "50", "0", "66"]))
            period = "." if draw(st.booleans()) else ""
            lines.append(f"       {level} {draw(st.sampled_from(NAMES + [name]))} {draw(clauses())}{period}")
        elif what == "copy":
            lines.append(f"       {draw(st.sampled_from(COPIES))}")
        elif what == "cond":
            lines.append(f"           88 {name}-C VALUE {draw(st.sampled_from(HUGE[:9]))} "
                         f"THRU {draw(st.sampled_from(THRU_VALUES))}.")
        elif what == "renames":
            lines.append(f"       66 {name} RENAMES {draw(st.sampled_from(NAMES))} "
                         f"THRU {draw(st.sampled_from(NAMES))}.")
        elif what == "comment":
            lines.append("      *" + draw(st.text(max_size=20)))
        else:
            cut = draw(st.integers(0, max(0, len(lines[-1]) - 1)))
            lines[-1] = lines[-1][:cut]
    return "\n".join(lines) + "\n"


def token_soup() -> st.SearchStrategy[str]:
    """COBOL words, punctuation and literals strung together in any order, in free format."""
    return st.lists(st.sampled_from(WORDS + HUGE[:8] + NAMES), max_size=60).map(" ".join)


def raw_text() -> st.SearchStrategy[str]:
    """Any text over the characters copybooks are written in, with tabs, quotes and line ends."""
    return st.text(alphabet=st.sampled_from(list("019 APICXSVOCUR()-.'\"=*/:\t\n")), max_size=400)
