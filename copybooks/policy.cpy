000100*================================================================*POLICY01
000200* POLICY    MOTOR/HOME POLICY MASTER FOR THE RATING ENGINE       *POLICY01
000300*           RECFM=FB, LRECL = LENGTH OF POLICY-REC (ALIGNED)     *POLICY01
000400*================================================================*POLICY01
000500 01  POLICY-REC.                                                  POLICY01
000600     05  POL-NUMBER              PIC X(10).                       POLICY01
000700     05  POL-TYPE                PIC X.                           POLICY01
000800         88  POL-MOTOR           VALUE 'M'.                       POLICY01
000900         88  POL-HOME            VALUE 'H'.                       POLICY01
001000     05  POL-VERSION             PIC S9(4)  COMP SYNC.            POLICY01
001100     05  POL-HOLDER-ID           PIC 9(9)   COMP SYNC.            POLICY01
001200     05  POL-START-DATE          PIC 9(8).                        POLICY01
001300     05  POL-PREMIUM             PIC S9(7)V99 COMP-3.             POLICY01
001400     05  POL-RATE-FACTOR         PIC S9(3)V9(4) COMP-3.           POLICY01
001500     05  POL-DETAIL              PIC X(40).                       POLICY01
001600     05  MOTOR-DETAIL REDEFINES POL-DETAIL.                       POLICY01
001700         10  VEH-REG             PIC X(8).                        POLICY01
001800         10  VEH-MAKE            PIC X(12).                       POLICY01
001900         10  VEH-YEAR            PIC 9(4).                        POLICY01
002000         10  VEH-VALUE           PIC S9(7)V99 COMP-3.             POLICY01
002100         10  NCD-YEARS           PIC S9(2)  COMP.                 POLICY01
002200         10  FILLER              PIC X(9).                        POLICY01
002300     05  HOME-DETAIL REDEFINES POL-DETAIL.                        POLICY01
002400         10  HOME-POSTCODE       PIC X(8).                        POLICY01
002500         10  HOME-REBUILD-COST   PIC S9(9)V99 COMP-3.             POLICY01
002600         10  HOME-BEDROOMS       PIC 9(2).                        POLICY01
002700         10  HOME-FLOOD-ZONE     PIC X.                           POLICY01
002800         10  FILLER              PIC X(23).                       POLICY01
002900     05  POL-CLAIMS-COUNT        PIC S9(4)  COMP SYNC.            POLICY01
003000     05  POL-SUM-INSURED         PIC S9(13)V99 COMP SYNC.         POLICY01
003100     05  POL-LOSS-RATIO          COMP-2 SYNC.                     POLICY01
003200     05  POL-STATUS              PIC X(2).                        POLICY01
