"""A lint for JCL card images: the rules that make a sample fail on z/OS before it runs.

The JCL samples (``examples/jcl/*.jcl`` and every ```` ```jcl ```` block in ``docs/``) are
never submitted here, so these checks stand in for the converter and for the programs' DD
lookups. They follow z/OS MVS JCL Reference: 80-column cards with the statement in columns
1-71 and 73-80 the sequence area (a numbered library writes numbers there, into any text that
reached them); ``//`` statements; names of 1-8 characters, the first alphabetic or national
(``@ # $``); a continued statement ends with a comma and goes on in columns 4-16 of the next
``//`` card; in-stream data (``DD *`` / ``DD DATA``) ends with ``/*`` (or its ``DLM=``); JCL
symbols reach in-stream data only with ``SYMBOLS=`` on the DD and ``EXPORT``. The DD names
each program opens come from its own documentation (``SYSTSPRT``/``SYSTSIN`` for the TSO
batch TMP, ``SYSEXEC`` for IRXJCL, ``STDOUT``/``STDERR`` for BPXBATCH, ``STEPLIB`` too for
COZBATCH, which is rarely in the link list: S806 without it).

Only what the samples use is understood; anything else is reported, never passed in silence.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["Finding", "jcl_blocks", "lint_jcl", "lint_rexx"]

NAME = re.compile(r"[A-Z@#$][A-Z0-9@#$]{0,7}$")
OPERATIONS = {"JOB", "EXEC", "DD", "SET", "EXPORT", "IF", "ELSE", "ENDIF", "JCLLIB", "INCLUDE", "OUTPUT"}
#: DD names each program opens; a step that lacks one fails (or loses its output)
PROGRAM_DDS = {
    "IKJEFT01": {"SYSTSPRT", "SYSTSIN"},
    "IKJEFT1A": {"SYSTSPRT", "SYSTSIN"},
    "IKJEFT1B": {"SYSTSPRT", "SYSTSIN"},
    "IRXJCL": {"SYSEXEC", "SYSTSPRT", "SYSTSIN"},
    "BPXBATCH": {"STDOUT", "STDERR"},
    "COZBATCH": {"STEPLIB", "STDIN", "STDOUT", "STDERR"},
    "IDCAMS": {"SYSPRINT", "SYSIN"},
    "FTP": {"INPUT", "OUTPUT"},
}
SYMBOL = re.compile(r"&([A-Z@#$][A-Z0-9@#$]{0,7})(\.?)")


@dataclass(frozen=True)
class Finding:
    """One broken rule: where it is and what to fix."""

    source: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.message}"


@dataclass
class _DD:
    name: str
    line: int
    operand: str
    instream: bool = False
    symbols: str | None = None
    data: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class _Step:
    name: str
    line: int
    program: str | None
    parm: str | None
    dds: dict[str, _DD] = field(default_factory=dict)
    operand: str = ""


def _outside_quotes(text: str) -> str:
    """The text with every quoted string blanked (quotes kept), for case and comma checks."""
    return re.sub(r"'[^']*'", lambda m: "'" + "_" * (len(m.group()) - 2) + "'", text)


def _operand_field(text: str) -> str:
    """The operand field: up to the first blank outside quotes (what follows is a comment)."""
    quoted = False
    for i, c in enumerate(text):
        if c == "'":
            quoted = not quoted
        elif c == " " and not quoted:
            return text[:i]
    return text


def _card_area(source: str, number: int, line: str) -> list[Finding]:
    found = []
    if "\t" in line:
        found.append(Finding(source, number, "tab character: JCL cards are blank-padded, columns count"))
    if len(line) > 80:
        found.append(Finding(source, number, f"line is {len(line)} characters: a card has 80"))
    tail = line[71:80]
    if tail.strip() and not (tail[:1] == " " and tail[1:].strip().isdigit()):
        found.append(Finding(source, number, "text past column 71 (72 is the continuation column, "
                                             "73-80 the sequence area a numbered library overwrites)"))
    return found


def lint_jcl(text: str, source: str = "<jcl>", *, job: bool = True) -> list[Finding]:
    """Every broken rule in ``text`` (JCL cards, one a line); ``job=False`` for a fragment without a JOB card."""
    found: list[Finding] = []
    steps: list[_Step] = []
    symbols: dict[str, str] = {}
    exported: set[str] = set()
    ifs: list[int] = []
    open_dd: _DD | None = None
    delimiter = "/*"
    continued = False          # the previous statement ended with a comma
    current: tuple[str, _DD | _Step | None] = ("", None)
    seen_job = False
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()

    for number, line in enumerate(lines, 1):
        found += _card_area(source, number, line)
        card = line[:71].rstrip()
        if open_dd is not None:
            if card.startswith(delimiter):
                open_dd = None
                continue
            if card.startswith("//") and delimiter == "/*" and not open_dd.operand.startswith("DATA"):
                found.append(Finding(source, number, f"in-stream data of DD {open_dd.name} (line {open_dd.line}) "
                                                     "ends without /*"))
                open_dd = None
            else:
                open_dd.data.append((number, card))
                continue
        if card.startswith("//*"):
            continue
        if card.startswith("/*"):
            found.append(Finding(source, number, "/* with no in-stream data open"))
            continue
        if not card.startswith("//"):
            found.append(Finding(source, number, f"not a JCL statement (no // in columns 1-2): {card[:20]!r}"))
            continue
        if card.strip("/ ") == "":
            if number != len(lines):
                found.append(Finding(source, number, "null statement (//) before the end of the job"))
            continue
        lower = Finding(source, number, "lower-case JCL outside quotes: statements are upper case")
        if continued:
            start = len(card) - len(card[2:].lstrip()) + 1  # 1-based column of the continued text
            if card[2] != " " or not 4 <= start <= 16:
                found.append(Finding(source, number, f"continuation must start in columns 4-16 of a // card "
                                                     f"(starts in column {start})"))
            rest = _operand_field(card[2:].strip())
            continued = rest.endswith(",")
            if any(c.islower() for c in _outside_quotes(rest)):
                found.append(lower)
            kind, obj = current
            if isinstance(obj, _DD):
                obj.operand += rest
            elif isinstance(obj, _Step):
                _exec_operand(obj, rest)
            continue

        fields = card[2:].split(None, 1) if card[2] != " " else ["", card[2:].strip()]
        name = fields[0]
        if len(fields) < 2 or not fields[1]:
            found.append(Finding(source, number, "no operation (JOB, EXEC, DD, ...)"))
            continue
        operation, _, operand = fields[1].partition(" ")
        operand = operand.strip()
        if operation != "IF":
            operand = _operand_field(operand)     # what follows the operand is a comment, any case
        if any(c.islower() for c in _outside_quotes(f"{name} {operation} {operand}")):
            found.append(lower)
        if name and not NAME.match(name):
            found.append(Finding(source, number, f"name {name!r}: 1-8 characters, the first A-Z or @ # $, "
                                                 "then A-Z, 0-9, @ # $"))
        if operation not in OPERATIONS:
            found.append(Finding(source, number, f"unknown operation {operation!r}"))
            continue
        continued = operation != "IF" and operand.endswith(",")
        if operation == "JOB":
            seen_job = True
        elif operation == "EXEC":
            if not name:
                found.append(Finding(source, number, "EXEC without a step name: IF and COND tests need one"))
            if any(s.name == name for s in steps):
                found.append(Finding(source, number, f"step name {name} used twice"))
            step = _Step(name, number, None, None)
            _exec_operand(step, operand)
            steps.append(step)
            current = ("EXEC", step)
        elif operation == "DD":
            if not steps:
                found.append(Finding(source, number, f"DD {name} before any EXEC"))
                steps.append(_Step("", number, None, None))
            dd = _DD(name, number, operand)
            if name:
                if name in steps[-1].dds:
                    found.append(Finding(source, number, f"DD {name} twice in step {steps[-1].name}"))
                steps[-1].dds[name] = dd
            current = ("DD", dd)
            first = dd.operand.split(",")[0]
            if first in ("*", "DATA"):
                dd.instream = True
                open_dd = dd
                dlm = re.search(r"DLM=(\S\S)", dd.operand)
                delimiter = dlm.group(1) if dlm else "/*"
                sym = re.search(r"SYMBOLS=\(?(\w+)", dd.operand)
                dd.symbols = sym.group(1) if sym else None
                if dd.symbols and dd.symbols not in ("JCLONLY", "EXECSYS", "CNVTSYS"):
                    found.append(Finding(source, number, f"SYMBOLS={dd.symbols}: JCLONLY, EXECSYS or CNVTSYS"))
        elif operation == "SET":
            for key, value in re.findall(r"([A-Z@#$][A-Z0-9@#$]*)=('[^']*'|[^,\s]*)", operand):
                symbols[key] = value.strip("'")
        elif operation == "EXPORT":
            listed = re.match(r"SYMLIST=\(?([^)\s]*)\)?", operand)
            exported |= set(listed.group(1).split(",")) if listed else set()
        elif operation == "IF":
            ifs.append(number)
            if not operand.endswith("THEN"):
                found.append(Finding(source, number, "IF without THEN at the end of the statement"))
        elif operation == "ENDIF":
            if not ifs:
                found.append(Finding(source, number, "ENDIF without IF"))
            else:
                ifs.pop()
        if operation in ("DD", "EXEC") and re.search(r"DSN(?:AME)?=", operand):
            found += _dsn(source, number, operand)

    if open_dd is not None:
        found.append(Finding(source, open_dd.line, f"in-stream data of DD {open_dd.name} never ends (no /*)"))
    for number in ifs:
        found.append(Finding(source, number, "IF without ENDIF"))
    if job and not seen_job:
        found.append(Finding(source, 1, "no JOB statement"))
    for step in steps:
        found += _step(source, step, symbols, exported)
    return found


def _exec_operand(step: _Step, operand: str) -> None:
    """Add a card's operand text to the step and read PGM= and PARM= from all of it so far.

    A PARM continued on several cards is written ``PARM=('...',\n// '...')``: its length is
    the subparameters with their separating commas, without the parentheses and apostrophes.
    """
    step.operand += operand
    program = re.search(r"(?:^|,)PGM=([^,\s]+)", step.operand)
    if program:
        step.program = program.group(1)
    pieces = re.search(r"PARM=\(((?:'[^']*',?)+)\)", step.operand)
    parm = re.search(r"PARM='((?:[^']|'')*)'", step.operand) or re.search(r"PARM=([^,\s(]+)", step.operand)
    if pieces:
        step.parm = ",".join(re.findall(r"'([^']*)'", pieces.group(1)))
    elif parm:
        step.parm = parm.group(1)


def _dsn(source: str, number: int, operand: str) -> list[Finding]:
    found = []
    for dsn in re.findall(r"DSN(?:AME)?=([^,\s]+)", operand):
        base = re.sub(r"\([^)]*\)$", "", dsn)
        if base.startswith("&&") or base.startswith("*."):
            continue
        if len(base) > 44:
            found.append(Finding(source, number, f"data set name {base} is over 44 characters"))
        for qualifier in base.split("."):
            if not NAME.match(qualifier):
                found.append(Finding(source, number, f"qualifier {qualifier!r} of {base}: 1-8 characters, "
                                                     "the first A-Z or @ # $"))
    return found


def _step(source: str, step: _Step, symbols: dict[str, str], exported: set[str]) -> list[Finding]:
    found = []
    where = f"step {step.name}"
    if step.program is None:
        found.append(Finding(source, step.line, f"{where}: no PGM= (procedures are not linted)"))
        return found
    if step.program not in PROGRAM_DDS:
        found.append(Finding(source, step.line, f"{where}: program {step.program} is not known to the lint"))
    if step.parm is not None and len(step.parm) > 100:
        found.append(Finding(source, step.line, f"{where}: PARM is {len(step.parm)} characters, at most 100"))
    for dd in sorted(PROGRAM_DDS.get(step.program, set()) - set(step.dds)):
        found.append(Finding(source, step.line, f"{where}: {step.program} needs a {dd} DD"))
    if step.program == "BPXBATCH" and step.parm is None and "STDPARM" not in step.dds:
        found.append(Finding(source, step.line, f"{where}: BPXBATCH needs PARM= or a STDPARM DD"))
    if step.program == "IRXJCL":
        exec_name = (step.parm or "").split(" ")[0]
        if not NAME.match(exec_name):
            found.append(Finding(source, step.line, f"{where}: IRXJCL's PARM must start with the exec's "
                                                    f"member name, not {exec_name!r}"))
    for dd in step.dds.values():
        for number, data in dd.data:
            for ddname in re.findall(r"//DD:([A-Z0-9@#$]+)", data) + _ocopy_dds(data):
                if ddname not in step.dds:
                    found.append(Finding(source, number, f"{where}: {ddname} is used but there is no "
                                                         f"{ddname} DD in the step"))
            found += _instream_symbols(source, number, data, dd, symbols, exported)
    return found


def _ocopy_dds(data: str) -> list[str]:
    return re.findall(r"\b(?:INDD|OUTDD)\(([A-Z0-9@#$]+)\)", data) if data.lstrip().startswith("OCOPY") else []


def _instream_symbols(source: str, number: int, data: str, dd: _DD, symbols: dict[str, str],
                      exported: set[str]) -> list[Finding]:
    if dd.symbols is None:
        used = [m.group(1) for m in SYMBOL.finditer(data) if m.group(1) in symbols]
        return [Finding(source, number, f"DD {dd.name}: &{name} stays as written without SYMBOLS=JCLONLY "
                                        "on the DD") for name in used]
    found = []
    for position in [m.start() for m in re.finditer("&", data)]:
        match = SYMBOL.match(data, position)
        name = match.group(1) if match else None
        if name not in symbols or name not in exported:
            found.append(Finding(source, number, f"DD {dd.name} has SYMBOLS=: '&' must start an exported JCL "
                                                 f"symbol (SET and EXPORT SYMLIST), not {data[position:position + 9]!r}"))
    if not found:
        substituted = SYMBOL.sub(lambda m: symbols[m.group(1)], data)
        if len(substituted) > 71:
            found.append(Finding(source, number, f"DD {dd.name}: after substitution the line runs to column "
                                                 f"{len(substituted)}, past 71"))
    return found


def lint_rexx(text: str, source: str = "<rexx>") -> list[Finding]:
    """Every broken rule in a REXX member: the ``/* REXX */`` first line and the card area."""
    found: list[Finding] = []
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines or not re.match(r"/\*.*REXX.*\*/", lines[0], re.IGNORECASE):
        found.append(Finding(source, 1, "the first line must be a comment containing REXX (/* REXX */)"))
    for number, line in enumerate(lines, 1):
        found += _card_area(source, number, line)
    return found


def jcl_blocks(markdown: str) -> list[tuple[int, str]]:
    """The ```jcl fenced blocks of a Markdown text, with the line number each starts on."""
    blocks, current, start = [], None, 0
    for number, line in enumerate(markdown.split("\n"), 1):
        if current is None and line.strip() == "```jcl":
            current, start = [], number + 1
        elif current is not None and line.strip() == "```":
            blocks.append((start, "\n".join(current) + "\n"))
            current = None
        elif current is not None:
            current.append(line)
    return blocks
