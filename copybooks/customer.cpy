000100*=============================================================*   CUSTEXT
000200* CUSTEXT   NIGHTLY CUSTOMER EXTRACT FOR RISK SCORING         *   CUSTEXT
000300*           RECFM=FB LRECL=117  CODE PAGE IBM-037             *   CUSTEXT
000400*           WRITTEN BY CUSX010, SCORED BY MAINFRAME-BRIDGE    *   CUSTEXT
000500*=============================================================*   CUSTEXT
000600 01  CUSTOMER-REC.                                                CUSTEXT
000700     05  CUST-ID                 PIC 9(9)       COMP.             CUSTEXT
000800     05  CUST-NAME               PIC X(30).                       CUSTEXT
000900     05  BIRTH-DATE              PIC 9(8).                        CUSTEXT
001000     05  BALANCE                 PIC S9(11)V99  COMP-3.           CUSTEXT
001100     05  CREDIT-LIMIT            PIC S9(7)V99   COMP-3.           CUSTEXT
001200     05  TXN-COUNT               PIC S9(4)      COMP.             CUSTEXT
001300     05  RISK-SEG                PIC X(2).                        CUSTEXT
001400         88  SEG-RETAIL          VALUE 'RT'.                      CUSTEXT
001500         88  SEG-PREMIER         VALUE 'PR'.                      CUSTEXT
001600         88  SEG-SMALL-BUSINESS  VALUE 'SB'.                      CUSTEXT
001700         88  SEG-STUDENT         VALUE 'ST'.                      CUSTEXT
001800     05  AVG-TXN-AMT             PIC S9(7)V99.                    CUSTEXT
001900     05  MONTHS-ON-BOOK          PIC 9(3).                        CUSTEXT
002000     05  DELINQ-COUNT            PIC 9(2).                        CUSTEXT
002100     05  UTILISATION-PCT         PIC S9(3)V9    COMP-3.           CUSTEXT
002200*    ---------------------------------------------------------    CUSTEXT
002300*    PREDICTION AREA: SPACES ON THE EXTRACT, FILLED BY THE        CUSTEXT
002400*    SCORING STEP. DO NOT MOVE WITHOUT TELLING THE MODEL OWNER.   CUSTEXT
002500*    ---------------------------------------------------------    CUSTEXT
002600     05  SCORE-AREA.                                              CUSTEXT
002700         10  SCORE               PIC 9V9999.                      CUSTEXT
002800         10  SCORE-BAND          PIC X(1).                        CUSTEXT
002900         10  REASON-CODE         PIC X(4)  OCCURS 4 TIMES.        CUSTEXT
003000         10  MODEL-ID            PIC X(8).                        CUSTEXT
003100         10  SCORE-STATUS        PIC X(2).                        CUSTEXT
003200             88  SCORED-OK       VALUE '00'.                      CUSTEXT
003300             88  SCORED-MISSING  VALUE '04'.                      CUSTEXT
003400             88  NOT-SCORED      VALUE '08' '12'.                 CUSTEXT
003500     05  FILLER                  PIC X(10).                       CUSTEXT
