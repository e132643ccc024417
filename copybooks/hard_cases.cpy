000100*================================================================ HARDCASE
000200* HARDCASE  A COPYBOOK THAT PILES UP THE LAYOUT HARD CASES.       HARDCASE
000300*           EVERY OFFSET AND LENGTH IS HELD AGAINST GNUCOBOL      HARDCASE
000400*           3.1.2 (COBC -STD=IBM) EXCEPT WHERE IBM DIFFERS; SEE   HARDCASE
000500*           TESTS/INTEGRATION/TEST_LAYOUT_MATCHES_GNUCOBOL.PY     HARDCASE
000600*================================================================ HARDCASE
000700  01  HARD-CASES-REC.                                             HARDCASE
000800      05  HC-ID                 PIC X(6)  VALUE 'HC0001'.         HARDCASE
000900      05  HC-BANNER             PIC X(90) VALUE 'HARD CASES: A LITHARDCASE
001000-    'ERAL CONTINUED FROM COLUMN 72 ONTO THE NEXT LINE'.          HARDCASE
001100* --- SYNC SLACK, COUNTED FROM THE START OF THE 01 RECORD ------- HARDCASE
001200      05  HC-SYNC-AREA.                                           HARDCASE
001300          10  HC-S-FLAG1        PIC X.                            HARDCASE
001400          10  HC-S-HALF         PIC S9(4) COMP SYNC.              HARDCASE
001500          10  HC-S-FLAG2        PIC X.                            HARDCASE
001600          10  HC-S-FULL         PIC S9(9) BINARY SYNC.            HARDCASE
001700          10  HC-S-FLAG3        PIC X(5).                         HARDCASE
001800          10  HC-S-DOUBLE       COMP-2 SYNC.                      HARDCASE
001900          10  HC-S-FLAG4        PIC X.                            HARDCASE
002000          10  HC-S-SINGLE       COMP-1 SYNCHRONIZED.              HARDCASE
002100          10  HC-S-FLAG5        PIC X.                            HARDCASE
002200          10  HC-S-HALF5        PIC 9(3) COMP-5 SYNC LEFT.        HARDCASE
002300/                                                                 HARDCASE
002400* --- P SCALING ON EITHER SIDE -----------------------------------HARDCASE
002500      05  HC-SCALED.                                              HARDCASE
002600          10  HC-P-THOUSANDS    PIC 9(3)PPP.                      HARDCASE
002700          10  HC-P-PACKED       PIC S9(4)PP COMP-3.               HARDCASE
002800          10  HC-P-TINY         PIC PPP99.                        HARDCASE
002900          10  HC-P-TINY-V       PIC VPP99.                        HARDCASE
003000          10  HC-P-TINY-BIN     PIC SVP(2)9(3) COMP.              HARDCASE
003100* --- SIGN CLAUSES -----------------------------------------------HARDCASE
003200      05  HC-SIGNS.                                               HARDCASE
003300          10  HC-SG-LEAD-SEP    PIC S9(5)V99                      HARDCASE
003400                              SIGN IS LEADING SEPARATE CHARACTER. HARDCASE
003500          10  HC-SG-TRAIL-SEP   PIC S9(5) SIGN TRAILING SEPARATE. HARDCASE
003600          10  HC-SG-LEAD        PIC S9(5) SIGN LEADING.           HARDCASE
003700          10  HC-SG-TRAIL       PIC S9(5) SIGN IS TRAILING.       HARDCASE
003800          10  HC-SG-PLAIN       PIC S9(5).                        HARDCASE
003900      05  HC-FLOATS.                                              HARDCASE
004000          10  HC-F-SINGLE       COMP-1.                           HARDCASE
004100          10  HC-F-DOUBLE       USAGE IS COMP-2.                  HARDCASE
004200          10  HC-F-SINGLE-2     USAGE COMPUTATIONAL-1.            HARDCASE
004300      05  HC-BINARIES.                                            HARDCASE
004400          10  HC-B-1            PIC S9 COMP.                      HARDCASE
004500          10  HC-B-4            PIC 9(4) COMP-4.                  HARDCASE
004600          10  HC-B-5            PIC S9(5) BINARY.                 HARDCASE
004700          10  HC-B-9            PIC S9(9) COMPUTATIONAL.          HARDCASE
004800          10  HC-B-10           PIC S9(10) COMP.                  HARDCASE
004900          10  HC-B-18           PIC 9(18) COMP-5.                 HARDCASE
005000          10  HC-B-PACKED-EVEN  PIC S9(4) PACKED-DECIMAL.         HARDCASE
005100          10  HC-B-PACKED-ODD   PIC 9(5) COMP-3.                  HARDCASE
005200      05  HC-PACKED-GROUP       USAGE COMP-3.                     HARDCASE
005300          10  HC-PG-AMT         PIC S9(7)V99.                     HARDCASE
005400          10  HC-PG-RATE        PIC S9V9(5).                      HARDCASE
005500* --- NESTED OCCURS --------------------------------------------- HARDCASE
005600      05  HC-REGION             OCCURS 3 TIMES INDEXED BY HC-RX.  HARDCASE
005700          10  HC-REGION-CODE    PIC X(2).                         HARDCASE
005800          10  HC-MONTH          OCCURS 12 TIMES.                  HARDCASE
005900              15  HC-M-AMT      PIC S9(5)V99 COMP-3.              HARDCASE
006000              15  HC-M-CNT      PIC 9(3).                         HARDCASE
006100                  88  HC-M-CNT-OK         VALUE 0 THRU 500.       HARDCASE
006200              15  HC-M-FLAG     PIC X OCCURS 2 TIMES.             HARDCASE
006300* --- REDEFINES OF A GROUP, BY AN ELEMENTARY ITEM AND A GROUP --- HARDCASE
006400      05  HC-DATE-AREA.                                           HARDCASE
006500          10  HC-DATE-CCYY      PIC 9(4).                         HARDCASE
006600          10  HC-DATE-MM        PIC 9(2).                         HARDCASE
006700              88  HC-VALID-MONTH      VALUE 1 THRU 12.            HARDCASE
006800              88  HC-QUARTER-END      VALUES 3 6 9 12.            HARDCASE
006900          10  HC-DATE-DD        PIC 9(2).                         HARDCASE
007000      05  HC-DATE-NUM           REDEFINES HC-DATE-AREA PIC 9(8).  HARDCASE
007100      05  HC-DATE-PARTS         REDEFINES HC-DATE-AREA.           HARDCASE
007200          10  HC-DATE-CC        PIC 9(2).                         HARDCASE
007300          10  HC-DATE-YYMMDD.                                     HARDCASE
007400              15  HC-DATE-YY    PIC 9(2).                         HARDCASE
007500              15  FILLER        PIC X(4).                         HARDCASE
007600* --- A MEMBER COPIED WITH PARTIAL-WORD REPLACING --------------- HARDCASE
007700      COPY HCADDR REPLACING ==:PFX:== BY ==HC==.                  HARDCASE
007800* --- NATIONAL, JUSTIFIED, ALPHABETIC, ALPHANUMERIC-EDITED ------ HARDCASE
007900      05  HC-TEXTS.                                               HARDCASE
008000          10  HC-NAT-NAME       PIC N(12).                        HARDCASE
008100          10  HC-NAT-CODE       PIC N(3) USAGE NATIONAL.          HARDCASE
008200          10  HC-JUST-R         PIC X(10) JUSTIFIED RIGHT.        HARDCASE
008300          10  HC-JUST           PIC X(6) JUST.                    HARDCASE
008400          10  hc-alpha          pic a(5).                         HARDCASE
008500          10  HC-ALNUM-EDIT     PIC XXBXX/XX.                     HARDCASE
008600* --- NUMERIC-EDITED AND BLANK WHEN ZERO ------------------------ HARDCASE
008700      05  HC-EDITED.                                              HARDCASE
008800          10  HC-E-AMOUNT       PIC -ZZZ,ZZ9.99.                  HARDCASE
008900          10  HC-E-CREDIT       PIC $**,**9.99CR.                 HARDCASE
009000          10  HC-E-DEBIT        PIC ZZZ9.99DB.                    HARDCASE
009100          10  HC-E-PLUS         PIC +9(5).                        HARDCASE
009200          10  HC-E-FLOAT-MINUS  PIC ----9.                        HARDCASE
009300          10  HC-E-DATE         PIC 99/99/9999.                   HARDCASE
009400          10  HC-E-ZEROS        PIC 9(3)000.                      HARDCASE
009500          10  HC-E-BLANK        PIC ZZZ9.99 BLANK WHEN ZERO.      HARDCASE
009600          10  HC-E-BWZ-NUM      PIC 9(5) BLANK ZERO.              HARDCASE
009700          10  HC-E-STAR         PIC ***9.                         HARDCASE
009800      05  HC-TRAILER            PIC X(4) VALUE ALL '*'.           HARDCASE
009900  66  HC-ID-ALIAS               RENAMES HC-ID.                    HARDCASE
010000  66  HC-SIGN-VIEW              RENAMES HC-SG-LEAD-SEP            HARDCASE
010100                                THRU HC-SG-TRAIL.                 HARDCASE
010200  66  HC-DATE-VIEW              RENAMES HC-DATE-MM                HARDCASE
010300                                THRU HC-DATE-DD.                  HARDCASE
010400*================================================================ HARDCASE
010500* A SECOND VIEW OF THE SAME RECORD (01-LEVEL REDEFINES, SMALLER)  HARDCASE
010600*================================================================ HARDCASE
010700  01  HC-KEY-VIEW               REDEFINES HARD-CASES-REC.         HARDCASE
010800      05  HC-KV-ID              PIC X(6).                         HARDCASE
010900      05  HC-KV-BANNER-HEAD     PIC X(10).                        HARDCASE
011000*================================================================ HARDCASE
011100* 8-BYTE BINARY WITH SYNC: IBM ALIGNS IT ON A FULLWORD (OFFSET 4),HARDCASE
011200* GNUCOBOL 3.1.2 ON A DOUBLEWORD (OFFSET 8).                      HARDCASE
011300*================================================================ HARDCASE
011400  01  HC-SYNC8-REC.                                               HARDCASE
011500      05  HC-S8-FLAG            PIC X.                            HARDCASE
011600      05  HC-S8-BIG             PIC S9(18) COMP SYNC.             HARDCASE
011700      05  HC-S8-AFTER           PIC X(3).                         HARDCASE
011800*================================================================ HARDCASE
011900* OCCURS DEPENDING ON: TWO TABLES (ONE WITH A NESTED OCCURS), AN  HARDCASE
012000* ITEM BETWEEN THEM AND ITEMS AFTER THEM (VARIABLY LOCATED).      HARDCASE
012100* NO ODO INSIDE AN ODO TABLE: GNUCOBOL 3.1.2 REFUSES IT.          HARDCASE
012200*================================================================ HARDCASE
012300  01  HC-ODO-REC.                                                 HARDCASE
012400      05  HC-O-COUNT            PIC S9(4) COMP.                   HARDCASE
012500      05  HC-O-GCOUNT           PIC 9(2).                         HARDCASE
012600      05  HC-O-TABLE            OCCURS 1 TO 5 TIMES               HARDCASE
012700                                DEPENDING ON HC-O-COUNT.          HARDCASE
012800          10  HC-O-KEY          PIC X(3).                         HARDCASE
012900          10  HC-O-AMT          PIC S9(5)V99 COMP-3.              HARDCASE
013000      05  HC-O-MIDDLE           PIC X(2).                         HARDCASE
013100      05  HC-O-GROUPS           OCCURS 1 TO 3 TIMES               HARDCASE
013200                                DEPENDING ON HC-O-GCOUNT.         HARDCASE
013300          10  HC-O-G-NAME       PIC X(4).                         HARDCASE
013400          10  HC-O-G-ITEM       OCCURS 4 TIMES.                   HARDCASE
013500              15  HC-O-G-VAL    PIC 9(3).                         HARDCASE
013600      05  HC-O-AFTER            PIC X(5).                         HARDCASE
013700      05  HC-O-AFTER-NUM        PIC 9(4).                         HARDCASE
013800*================================================================ HARDCASE
013900* A REDEFINES LARGER THAN THE ITEM IT REDEFINES: IBM WARNS AND THEHARDCASE
014000* AREA TAKES THE SIZE OF THE LARGEST; COBC -STD=IBM AGREES (ONLY  HARDCASE
014100* -STD=IBM-STRICT REFUSES IT). THE BRIDGE WARNS (ERROR IN STRICT).HARDCASE
014200*================================================================ HARDCASE
014300  01  HC-WIDE-REDEF-REC.                                          HARDCASE
014400      05  HC-W-KEY              PIC X(4).                         HARDCASE
014500      05  HC-W-CODE             PIC X(2).                         HARDCASE
014600      05  HC-W-CODE-LONG        REDEFINES HC-W-CODE PIC X(6).     HARDCASE
014700      05  HC-W-AFTER            PIC 9(3).                         HARDCASE
