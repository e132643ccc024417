      *================================================================*
      * TXNWRT    WRITES TXN-HISTORY-REC RECORDS (TRANSACTIONS.CPY) AS
      *           VARIABLE-LENGTH RECORDS TO THE FILE OF DD TXNOUT: EACH
      *           RECORD HOLDS TXN-CNT ENTRIES AND THE ITEMS AFTER THE
      *           TABLE FOLLOW ITS LAST ENTRY (IBM ODO PLACEMENT, WHICH
      *           NEEDS COBC -FODOSLIDE). EACH RECORD IS PREFIXED BY
      *           GNUCOBOL'S 4 BYTES (COB_VARSEQ_FORMAT 0: 2-BYTE
      *           BIG-ENDIAN DATA LENGTH, NOT COUNTING ITSELF, + X'0000').
      *           STMT-DATE-R IS REPLACED AWAY: GNUCOBOL 3.1.2 SHIFTS
      *           ITEMS AFTER AN ODO TABLE BY THE SIZE OF A REDEFINES
      *           THAT PRECEDES THE TABLE. PYTHON MIRROR OF THE VALUES:
      *           TESTS/INTEGRATION/COBOL_RECORDS.PY.
      *================================================================*
       IDENTIFICATION DIVISION.
       PROGRAM-ID. TXNWRT.
       ENVIRONMENT DIVISION.
       INPUT-OUTPUT SECTION.
       FILE-CONTROL.
           SELECT TXN-FILE ASSIGN TO "TXNOUT"
               ORGANIZATION IS SEQUENTIAL
               FILE STATUS IS WS-STATUS.
       DATA DIVISION.
       FILE SECTION.
       FD  TXN-FILE
           RECORD IS VARYING IN SIZE FROM 36 TO 1036 CHARACTERS
               DEPENDING ON WS-LEN.
           COPY "transactions.cpy" REPLACING
               ==05 STMT-DATE-R REDEFINES STMT-DATE.
                 10 STMT-YYYY PIC 9(4). 10 STMT-MM PIC 9(2).
                 10 STMT-DD PIC 9(2).== BY ====.
       WORKING-STORAGE SECTION.
       01  WS-STATUS               PIC XX.
       01  WS-LEN                  PIC 9(4) COMP.
       01  WS-I                    PIC 9(4) COMP.
       01  WS-TOTAL                PIC S9(11)V99 COMP-3.
       PROCEDURE DIVISION.
       MAIN-LINE.
           OPEN OUTPUT TXN-FILE
           IF WS-STATUS NOT = "00"
               DISPLAY "FILE-STATUS=" WS-STATUS " ON OPEN TXNOUT"
               MOVE 8 TO RETURN-CODE
               STOP RUN
           END-IF
      *    RECORD 1: THREE TRANSACTIONS, ONE OF EACH TYPE
           MOVE "ACCT00000001" TO ACCT-NO
           MOVE 20240131 TO STMT-DATE
           MOVE "GBP" TO CURRENCY-CD
           MOVE 3 TO TXN-CNT
           MOVE 20240102 TO TXN-DATE(1)
           MOVE "PU" TO TXN-TYPE(1)
           MOVE 12.34 TO TXN-AMT(1)
           MOVE 5411 TO MCC(1)
           MOVE 20240115 TO TXN-DATE(2)
           MOVE "RF" TO TXN-TYPE(2)
           MOVE -5.00 TO TXN-AMT(2)
           MOVE 5999 TO MCC(2)
           MOVE 20240120 TO TXN-DATE(3)
           MOVE "CA" TO TXN-TYPE(3)
           MOVE 200 TO TXN-AMT(3)
           MOVE 6011 TO MCC(3)
           MOVE 207.34 TO STMT-TOTAL
           MOVE "A   " TO STMT-FLAGS
           PERFORM WRITE-ONE
      *    RECORD 2: AN EMPTY TABLE
           MOVE "ACCT00000002" TO ACCT-NO
           MOVE 20240229 TO STMT-DATE
           MOVE "EUR" TO CURRENCY-CD
           MOVE 0 TO TXN-CNT
           MOVE 0 TO STMT-TOTAL
           MOVE "NONE" TO STMT-FLAGS
           PERFORM WRITE-ONE
      *    RECORD 3: A FULL TABLE; ENTRY I IS DAY MOD(I - 1, 28) + 1,
      *    TYPE PU/RF/CA IN TURN, AMOUNT I * 1.01 (NEGATIVE FOR RF),
      *    MCC 5000 + I
           MOVE "ACCT00000003" TO ACCT-NO
           MOVE 20240331 TO STMT-DATE
           MOVE "USD" TO CURRENCY-CD
           MOVE 50 TO TXN-CNT
           MOVE 0 TO WS-TOTAL
           PERFORM VARYING WS-I FROM 1 BY 1 UNTIL WS-I > 50
               COMPUTE TXN-DATE(WS-I) =
                   20240300 + FUNCTION MOD(WS-I - 1, 28) + 1
               EVALUATE FUNCTION MOD(WS-I - 1, 3)
                   WHEN 0
                       MOVE "PU" TO TXN-TYPE(WS-I)
                       COMPUTE TXN-AMT(WS-I) = WS-I * 1.01
                   WHEN 1
                       MOVE "RF" TO TXN-TYPE(WS-I)
                       COMPUTE TXN-AMT(WS-I) = 0 - WS-I * 1.01
                   WHEN OTHER
                       MOVE "CA" TO TXN-TYPE(WS-I)
                       COMPUTE TXN-AMT(WS-I) = WS-I * 1.01
               END-EVALUATE
               COMPUTE MCC(WS-I) = 5000 + WS-I
               ADD TXN-AMT(WS-I) TO WS-TOTAL
           END-PERFORM
           MOVE WS-TOTAL TO STMT-TOTAL
           MOVE "FULL" TO STMT-FLAGS
           PERFORM WRITE-ONE
      *    RECORD 4: ONE TRANSACTION WITH EXTREME AMOUNTS
           MOVE "ACCT00000004" TO ACCT-NO
           MOVE 99991231 TO STMT-DATE
           MOVE "JPY" TO CURRENCY-CD
           MOVE 1 TO TXN-CNT
           MOVE 19000101 TO TXN-DATE(1)
           MOVE "RF" TO TXN-TYPE(1)
           MOVE -999999999.99 TO TXN-AMT(1)
           MOVE 0 TO MCC(1)
           MOVE -99999999999.99 TO STMT-TOTAL
           MOVE "X  Z" TO STMT-FLAGS
           PERFORM WRITE-ONE
           CLOSE TXN-FILE
           DISPLAY "RECORDS-WRITTEN=4"
           STOP RUN.

       WRITE-ONE.
           COMPUTE WS-LEN = 36 + 20 * TXN-CNT
           WRITE TXN-HISTORY-REC
           IF WS-STATUS NOT = "00"
               DISPLAY "FILE-STATUS=" WS-STATUS " ON WRITE"
               MOVE 8 TO RETURN-CODE
           END-IF.
