000100*=============================================================*
000200* CUSTHIST  CUSTOMER EXTRACT WITH THE 12-MONTH OUTCOME        *
000300*           SAME LAYOUT AS CUSTEXT (LRECL=117): THE OUTCOME   *
000400*           SITS IN WHAT IS FILLER ON THE SCORING EXTRACT.    *
000500*           USED TO TRAIN THE CUSTOMER-RISK MODEL.            *
000600*=============================================================*
000700 01  CUSTOMER-REC.
000800     05  CUST-ID                 PIC 9(9)       COMP.
000900     05  CUST-NAME               PIC X(30).
001000     05  BIRTH-DATE              PIC 9(8).
001100     05  BALANCE                 PIC S9(11)V99  COMP-3.
001200     05  CREDIT-LIMIT            PIC S9(7)V99   COMP-3.
001300     05  TXN-COUNT               PIC S9(4)      COMP.
001400     05  RISK-SEG                PIC X(2).
001500         88  SEG-RETAIL          VALUE 'RT'.
001600         88  SEG-PREMIER         VALUE 'PR'.
001700         88  SEG-SMALL-BUSINESS  VALUE 'SB'.
001800         88  SEG-STUDENT         VALUE 'ST'.
001900     05  AVG-TXN-AMT             PIC S9(7)V99.
002000     05  MONTHS-ON-BOOK          PIC 9(3).
002100     05  DELINQ-COUNT            PIC 9(2).
002200     05  UTILISATION-PCT         PIC S9(3)V9    COMP-3.
002300     05  SCORE-AREA.
002400         10  SCORE               PIC 9V9999.
002500         10  SCORE-BAND          PIC X(1).
002600         10  REASON-CODE         PIC X(4)  OCCURS 4 TIMES.
002700         10  MODEL-ID            PIC X(8).
002800         10  SCORE-STATUS        PIC X(2).
002900             88  SCORED-OK       VALUE '00'.
003000             88  SCORED-MISSING  VALUE '04'.
003100             88  NOT-SCORED      VALUE '08' '12'.
003200     05  OUTCOME-AREA.
003300         10  DEFAULTED-12M       PIC 9.
003400             88  DEFAULTED       VALUE 1.
003500             88  PERFORMING      VALUE 0.
003600         10  FILLER              PIC X(9).
