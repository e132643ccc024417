      *================================================================*
      * TXNRD     READS TXN-HISTORY-REC RECORDS WRITTEN AS TXNWRT WRITES
      *           THEM (GNUCOBOL VARIABLE RECORDS, IBM ODO PLACEMENT;
      *           COMPILE WITH -FODOSLIDE) FROM DD TXNIN AND DISPLAYS
      *           EVERY FIELD AS NAME=VALUE, TABLE ENTRIES AS NAME(I)=,
      *           RECORD-LENGTH= THE LENGTH READ. RECORD=N OPENS A
      *           RECORD, RECORDS-READ=N ENDS THE OUTPUT.
      *================================================================*
       IDENTIFICATION DIVISION.
       PROGRAM-ID. TXNRD.
       ENVIRONMENT DIVISION.
       INPUT-OUTPUT SECTION.
       FILE-CONTROL.
           SELECT TXN-FILE ASSIGN TO "TXNIN"
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
       01  WS-EOF                  PIC X VALUE "N".
       01  WS-READ                 PIC 9(9) VALUE 0.
       01  WS-I                    PIC 9(4) COMP.
       01  WS-E-I                  PIC 9(2).
       01  WS-E-LEN                PIC 9(4).
       01  WS-E-DATE               PIC 9(8).
       01  WS-E-CNT                PIC +9(4).
       01  WS-E-AMT                PIC +9(9).99.
       01  WS-E-MCC                PIC 9(4).
       01  WS-E-TOTAL              PIC +9(11).99.
       PROCEDURE DIVISION.
       MAIN-LINE.
           OPEN INPUT TXN-FILE
           IF WS-STATUS NOT = "00"
               DISPLAY "FILE-STATUS=" WS-STATUS " ON OPEN TXNIN"
               MOVE 8 TO RETURN-CODE
               STOP RUN
           END-IF
           PERFORM UNTIL WS-EOF = "Y"
               READ TXN-FILE
                   AT END MOVE "Y" TO WS-EOF
                   NOT AT END PERFORM SHOW-RECORD
               END-READ
               IF WS-STATUS NOT = "00" AND WS-STATUS NOT = "10"
                   DISPLAY "FILE-STATUS=" WS-STATUS " ON READ"
                   MOVE 8 TO RETURN-CODE
                   MOVE "Y" TO WS-EOF
               END-IF
           END-PERFORM
           CLOSE TXN-FILE
           DISPLAY "RECORDS-READ=" WS-READ
           STOP RUN.

       SHOW-RECORD.
           ADD 1 TO WS-READ
           DISPLAY "RECORD=" WS-READ
           MOVE WS-LEN TO WS-E-LEN
           DISPLAY "RECORD-LENGTH=" WS-E-LEN
           DISPLAY "ACCT-NO=" ACCT-NO
           MOVE STMT-DATE TO WS-E-DATE
           DISPLAY "STMT-DATE=" WS-E-DATE
           DISPLAY "CURRENCY-CD=" CURRENCY-CD
           MOVE TXN-CNT TO WS-E-CNT
           DISPLAY "TXN-CNT=" WS-E-CNT
           PERFORM VARYING WS-I FROM 1 BY 1 UNTIL WS-I > TXN-CNT
               MOVE WS-I TO WS-E-I
               MOVE TXN-DATE(WS-I) TO WS-E-DATE
               DISPLAY "TXN-DATE(" WS-E-I ")=" WS-E-DATE
               DISPLAY "TXN-TYPE(" WS-E-I ")=" TXN-TYPE(WS-I)
               MOVE TXN-AMT(WS-I) TO WS-E-AMT
               DISPLAY "TXN-AMT(" WS-E-I ")=" WS-E-AMT
               MOVE MCC(WS-I) TO WS-E-MCC
               DISPLAY "MCC(" WS-E-I ")=" WS-E-MCC
           END-PERFORM
           MOVE STMT-TOTAL TO WS-E-TOTAL
           DISPLAY "STMT-TOTAL=" WS-E-TOTAL
           DISPLAY "STMT-FLAGS=" STMT-FLAGS.
