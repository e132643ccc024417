"""The card lint itself: each rule catches the fault it is for (so a clean sample means something)."""
from __future__ import annotations

from tests.docs.jcl_lint import jcl_blocks, lint_jcl, lint_rexx

JOB = "//SAMPLE   JOB (ACCT),'LINT',CLASS=A\n"
TSO = ("//COPY     EXEC PGM=IKJEFT01\n"
       "//SYSTSPRT DD SYSOUT=*\n"
       "//IN       DD DISP=SHR,DSN=PROD.CUST.EXTRACT(0)\n"
       "//OUT      DD PATH='/u/xfer/x.dat',PATHOPTS=(OWRONLY,OCREAT)\n"
       "//SYSTSIN  DD *\n"
       "OCOPY INDD(IN) OUTDD(OUT) BINARY\n"
       "/*\n")


def messages(text: str, **kw) -> list[str]:
    return [f.message for f in lint_jcl(text, **kw)]


def test_a_clean_step_has_no_findings():
    assert lint_jcl(JOB + TSO) == []


def test_text_in_the_sequence_area_is_refused_issue_9():
    long_line = "get /out/cust/CUSTEXT.D261126.G0042.SCORED.dat.status /tmp/custscore.status\n"
    text = JOB + TSO.replace("OCOPY INDD(IN) OUTDD(OUT) BINARY\n", "OCOPY INDD(IN) OUTDD(OUT) BINARY\n" + long_line)
    found = lint_jcl(text, "SAMPLE.jcl")
    assert [str(f) for f in found] == [
        "SAMPLE.jcl:8: text past column 71 (72 is the continuation column, 73-80 the sequence area a "
        "numbered library overwrites)"]


def test_sequence_numbers_in_columns_73_to_80_are_allowed():
    numbered = "\n".join(f"{line:<72}{n * 100:08d}" if line else line
                         for n, line in enumerate((JOB + TSO).split("\n"), 1))
    assert lint_jcl(numbered) == []


def test_a_tab_is_refused():
    assert "tab character: JCL cards are blank-padded, columns count" in messages(
        JOB + TSO.replace("//SYSTSPRT DD", "//SYSTSPRT\tDD"))


def test_a_name_longer_than_8_or_starting_with_a_digit_is_refused():
    found = messages(JOB + TSO.replace("//COPY     EXEC", "//1COPY    EXEC").replace("//OUT      DD",
                                                                                      "//OUTPUTUSS DD"))
    assert "name '1COPY': 1-8 characters, the first A-Z or @ # $, then A-Z, 0-9, @ # $" in found
    assert "name 'OUTPUTUSS': 1-8 characters, the first A-Z or @ # $, then A-Z, 0-9, @ # $" in found


def test_lower_case_outside_quotes_is_refused_but_quoted_paths_are_not():
    assert messages(JOB + TSO.replace("DISP=SHR,DSN=PROD", "disp=shr,DSN=PROD")) == [
        "lower-case JCL outside quotes: statements are upper case"]
    assert messages(JOB + TSO.replace("//COPY     EXEC", "//copy     EXEC")) == [
        "lower-case JCL outside quotes: statements are upper case",
        "name 'copy': 1-8 characters, the first A-Z or @ # $, then A-Z, 0-9, @ # $"]


def test_a_comment_after_the_operand_may_be_in_any_case():
    assert lint_jcl(JOB + TSO.replace("//SYSTSPRT DD SYSOUT=*", "//SYSTSPRT DD SYSOUT=*   the TSO messages")) == []


def test_a_continuation_must_start_in_columns_4_to_16():
    good = TSO.replace("//OUT      DD PATH='/u/xfer/x.dat',PATHOPTS=(OWRONLY,OCREAT)\n",
                       "//OUT      DD PATH='/u/xfer/x.dat',\n//            PATHOPTS=(OWRONLY,OCREAT)\n")
    assert lint_jcl(JOB + good) == []
    bad = good.replace("//            PATHOPTS", "//                  PATHOPTS")
    assert messages(JOB + bad) == ["continuation must start in columns 4-16 of a // card (starts in column 21)"]


def test_in_stream_data_must_end_with_its_delimiter():
    text = JOB + TSO.replace("/*\n", "") + "//NEXT     EXEC PGM=IEFBR14\n"
    assert "in-stream data of DD SYSTSIN (line 6) ends without /*" in messages(text)
    assert messages(JOB + TSO.replace("/*\n", "")) == ["in-stream data of DD SYSTSIN never ends (no /*)"]


def test_the_tso_batch_program_needs_its_dd_names():
    assert messages(JOB + TSO.replace("//SYSTSPRT DD SYSOUT=*\n", "")) == ["step COPY: IKJEFT01 needs a SYSTSPRT DD"]


def test_an_ocopy_dd_name_must_be_allocated_in_the_step():
    assert messages(JOB + TSO.replace("OUTDD(OUT)", "OUTDD(USSFILE)")) == [
        "step COPY: USSFILE is used but there is no USSFILE DD in the step"]


def test_the_earlier_co_z_step_fails_for_its_missing_steplib_stdout_and_stderr_issue_9():
    earlier = ("//SENDEXT  EXEC PGM=COZBATCH\n"
               "//EXTRACT  DD DISP=SHR,DSN=PROD.CUST.EXTRACT(0)\n"
               "//STDIN    DD *\n"
               "cozsftp -b- -oBatchMode=yes xfer@bridge.example.com <<EOB\n"
               "put //DD:EXTRACT CUSTEXT.D261126.dat\n"
               "EOB\n"
               "/*\n")
    assert messages(earlier, job=False) == ["step SENDEXT: COZBATCH needs a STDERR DD",
                                            "step SENDEXT: COZBATCH needs a STDOUT DD",
                                            "step SENDEXT: COZBATCH needs a STEPLIB DD"]


def test_a_dd_colon_reference_in_a_script_must_be_allocated():
    step = ("//SEND     EXEC PGM=COZBATCH\n//STEPLIB  DD DISP=SHR,DSN=COZ.LOADLIB\n"
            "//STDOUT   DD SYSOUT=*\n//STDERR   DD SYSOUT=*\n//STDIN    DD *\nput //DD:EXTRACT X.dat\n/*\n")
    assert messages(step, job=False) == ["step SEND: EXTRACT is used but there is no EXTRACT DD in the step"]


def test_irxjcl_needs_sysexec_and_the_exec_name_first_in_its_parm():
    step = "//RCSTAT   EXEC PGM=IRXJCL,PARM='/u/x/y.status'\n//SYSTSPRT DD SYSOUT=*\n//SYSTSIN  DD DUMMY\n"
    assert messages(step, job=False) == [
        "step RCSTAT: IRXJCL needs a SYSEXEC DD",
        "step RCSTAT: IRXJCL's PARM must start with the exec's member name, not '/u/x/y.status'"]


def test_a_symbol_in_in_stream_data_needs_symbols_on_the_dd_and_an_export():
    head = "//SETDATE  SET ODATE=D261126\n"
    step = ("//SEND     EXEC PGM=BPXBATCH,PARM='SH /u/x/send.sh'\n//STDOUT   DD SYSOUT=*\n"
            "//STDERR   DD SYSOUT=*\n//STDENV   DD *\nNAME=CUSTEXT.&ODATE..dat\n/*\n")
    assert messages(JOB + head + step) == [
        "DD STDENV: &ODATE stays as written without SYMBOLS=JCLONLY on the DD"]
    with_symbols = step.replace("DD *\n", "DD *,SYMBOLS=JCLONLY\n")
    assert messages(JOB + head + with_symbols) == [
        "DD STDENV has SYMBOLS=: '&' must start an exported JCL symbol (SET and EXPORT SYMLIST), not '&ODATE..d'"]
    exported = JOB + "//EXPSYM   EXPORT SYMLIST=(ODATE)\n" + head + with_symbols
    assert lint_jcl(exported) == []


def test_a_stray_ampersand_in_data_with_symbols_is_refused():
    text = (JOB + "//EXPSYM   EXPORT SYMLIST=(ODATE)\n//SETDATE  SET ODATE=D261126\n"
            "//SEND     EXEC PGM=BPXBATCH,PARM='SH /u/x/send.sh'\n//STDOUT   DD SYSOUT=*\n"
            "//STDERR   DD SYSOUT=*\n//STDENV   DD *,SYMBOLS=JCLONLY\nA=1&&B\n/*\n")
    assert messages(text) == [
        "DD STDENV has SYMBOLS=: '&' must start an exported JCL symbol (SET and EXPORT SYMLIST), not '&&B'",
        "DD STDENV has SYMBOLS=: '&' must start an exported JCL symbol (SET and EXPORT SYMLIST), not '&B'"]


def test_a_line_that_substitution_pushes_past_column_71_is_refused():
    text = (JOB + "//EXPSYM   EXPORT SYMLIST=(LONG)\n//SETLONG  SET LONG=ABCDEFGHIJKLMNOPQRSTUVWXYZ\n"
            "//SEND     EXEC PGM=BPXBATCH,PARM='SH /u/x/send.sh'\n//STDOUT   DD SYSOUT=*\n"
            "//STDERR   DD SYSOUT=*\n//STDENV   DD *,SYMBOLS=JCLONLY\n"
            "NAME=/u/xfer/out/a/rather/long/path/to/the/extract.&LONG..dat\n/*\n")
    assert messages(text) == ["DD STDENV: after substitution the line runs to column 81, past 71"]


def test_if_needs_then_and_endif():
    text = JOB + "//         IF (COPY.RC = 0)\n" + TSO
    assert messages(text) == ["IF without THEN at the end of the statement", "IF without ENDIF"]
    assert messages(JOB + TSO + "//         ENDIF\n") == ["ENDIF without IF"]


def test_parm_is_at_most_100_characters_across_its_continuation_cards():
    def step(last: int) -> str:
        return ("//RUN      EXEC PGM=BPXBATCH,\n"
                f"//            PARM=('SH {'p' * 35}',\n"
                f"//            '{'q' * 30}',\n"
                f"//            '{'r' * last}')\n"
                "//STDOUT   DD SYSOUT=*\n//STDERR   DD SYSOUT=*\n")
    assert lint_jcl(step(30), job=False) == []           # 3 + 35, 30, 30 and two commas: 100
    assert messages(step(31), job=False) == ["step RUN: PARM is 101 characters, at most 100"]


def test_a_data_set_qualifier_must_be_a_name():
    assert messages(JOB + TSO.replace("PROD.CUST.EXTRACT(0)", "PROD.CUST.261126.EXTRACT(0)")) == [
        "qualifier '261126' of PROD.CUST.261126.EXTRACT: 1-8 characters, the first A-Z or @ # $"]


def test_a_member_without_a_job_card_is_refused():
    assert messages(TSO) == ["no JOB statement"]


def test_a_rexx_member_starts_with_the_rexx_comment():
    assert [f.message for f in lint_rexx("say 'hello'\n")] == [
        "the first line must be a comment containing REXX (/* REXX */)"]
    assert lint_rexx("/* REXX */\nsay 'hello'\n") == []


def test_jcl_blocks_are_found_with_their_first_line():
    markdown = "text\n\n```jcl\n//A        EXEC PGM=IEFBR14\n```\n\n```sh\necho\n```\n"
    assert jcl_blocks(markdown) == [(4, "//A        EXEC PGM=IEFBR14\n")]
