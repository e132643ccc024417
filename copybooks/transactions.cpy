000100*-------------------------------------------------------------*
000200* TXNHIST   CARD TRANSACTION HISTORY, ONE RECORD PER ACCOUNT  *
000300*           RECFM=VB, LRECL=1210 (RDW INCLUDED)                *
000400*           THE TABLE HOLDS TXN-CNT ENTRIES (0 TO 50)          *
000500*-------------------------------------------------------------*
000600 01  TXN-HISTORY-REC.
000700     05  ACCT-NO                 PIC X(12).
000800     05  STMT-DATE               PIC 9(8).
000900     05  STMT-DATE-R REDEFINES STMT-DATE.
001000         10  STMT-YYYY           PIC 9(4).
001100         10  STMT-MM             PIC 9(2).
001200         10  STMT-DD             PIC 9(2).
001300     05  CURRENCY-CD             PIC X(3).
001400     05  TXN-CNT                 PIC S9(4) COMP.
001500     05  TXN-TABLE OCCURS 0 TO 50 TIMES
001600                   DEPENDING ON TXN-CNT
001700                   INDEXED BY TXN-IX.
001800         10  TXN-DATE            PIC 9(8).
001900         10  TXN-TYPE            PIC X(2).
002000             88  TXN-PURCHASE    VALUE 'PU'.
002100             88  TXN-REFUND      VALUE 'RF'.
002200             88  TXN-CASH        VALUE 'CA'.
002300         10  TXN-AMT             PIC S9(9)V99 COMP-3.
002400         10  MCC                 PIC 9(4).
002500     05  STMT-TOTAL              PIC S9(11)V99 COMP-3.
002600     05  STMT-FLAGS              PIC X(4).
