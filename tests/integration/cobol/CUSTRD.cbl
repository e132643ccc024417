      *================================================================*
      * CUSTRD    READS CUSTOMER-REC RECORDS (COPYBOOK CUSTOMER.CPY)
      *           FROM THE FILE OF DD CUSTIN AND DISPLAYS EVERY FIELD,
      *           ONE PER LINE, AS NAME=VALUE:
      *             RECORD=N STARTS EACH RECORD;
      *             NUMBERS ARE SIGNED OR UNSIGNED DIGITS WITH A POINT
      *             WHERE THE PICTURE HAS V, OR INVALID WHEN THE FIELD
      *             FAILS THE NUMERIC CLASS TEST (E.G. SPACES);
      *             TEXT IS THE FIELD'S FULL WIDTH, TRAILING SPACES KEPT;
      *             RECORDS-READ=N ENDS THE OUTPUT.
      *================================================================*
       IDENTIFICATION DIVISION.
       PROGRAM-ID. CUSTRD.
       ENVIRONMENT DIVISION.
       INPUT-OUTPUT SECTION.
       FILE-CONTROL.
           SELECT CUST-FILE ASSIGN TO "CUSTIN"
               ORGANIZATION IS SEQUENTIAL
               FILE STATUS IS WS-STATUS.
       DATA DIVISION.
       FILE SECTION.
       FD  CUST-FILE
           RECORDING MODE IS F.
           COPY "customer.cpy".
       WORKING-STORAGE SECTION.
       01  WS-STATUS               PIC XX.
       01  WS-EOF                  PIC X VALUE "N".
       01  WS-READ                 PIC 9(9) VALUE 0.
       01  WS-I                    PIC 9.
       01  WS-E-CUST-ID            PIC 9(9).
       01  WS-E-BIRTH-DATE         PIC 9(8).
       01  WS-E-BALANCE            PIC +9(11).99.
       01  WS-E-CREDIT-LIMIT       PIC +9(7).99.
       01  WS-E-TXN-COUNT          PIC +9(4).
       01  WS-E-AVG-TXN-AMT        PIC +9(7).99.
       01  WS-E-MONTHS-ON-BOOK     PIC 9(3).
       01  WS-E-DELINQ-COUNT       PIC 9(2).
       01  WS-E-UTILISATION-PCT    PIC +9(3).9.
       01  WS-E-SCORE              PIC 9.9999.
       PROCEDURE DIVISION.
       MAIN-LINE.
           OPEN INPUT CUST-FILE
           IF WS-STATUS NOT = "00"
               DISPLAY "FILE-STATUS=" WS-STATUS " ON OPEN CUSTIN"
               MOVE 8 TO RETURN-CODE
               STOP RUN
           END-IF
           PERFORM UNTIL WS-EOF = "Y"
               READ CUST-FILE
                   AT END MOVE "Y" TO WS-EOF
                   NOT AT END PERFORM SHOW-RECORD
               END-READ
               IF WS-STATUS NOT = "00" AND WS-STATUS NOT = "10"
                   DISPLAY "FILE-STATUS=" WS-STATUS " ON READ"
                   MOVE 8 TO RETURN-CODE
                   MOVE "Y" TO WS-EOF
               END-IF
           END-PERFORM
           CLOSE CUST-FILE
           DISPLAY "RECORDS-READ=" WS-READ
           STOP RUN.

       SHOW-RECORD.
           ADD 1 TO WS-READ
           DISPLAY "RECORD=" WS-READ
           MOVE CUST-ID TO WS-E-CUST-ID
           DISPLAY "CUST-ID=" WS-E-CUST-ID
           DISPLAY "CUST-NAME=" CUST-NAME
           IF BIRTH-DATE IS NUMERIC
               MOVE BIRTH-DATE TO WS-E-BIRTH-DATE
               DISPLAY "BIRTH-DATE=" WS-E-BIRTH-DATE
           ELSE
               DISPLAY "BIRTH-DATE=INVALID"
           END-IF
           IF BALANCE IS NUMERIC
               MOVE BALANCE TO WS-E-BALANCE
               DISPLAY "BALANCE=" WS-E-BALANCE
           ELSE
               DISPLAY "BALANCE=INVALID"
           END-IF
           IF CREDIT-LIMIT IS NUMERIC
               MOVE CREDIT-LIMIT TO WS-E-CREDIT-LIMIT
               DISPLAY "CREDIT-LIMIT=" WS-E-CREDIT-LIMIT
           ELSE
               DISPLAY "CREDIT-LIMIT=INVALID"
           END-IF
           MOVE TXN-COUNT TO WS-E-TXN-COUNT
           DISPLAY "TXN-COUNT=" WS-E-TXN-COUNT
           DISPLAY "RISK-SEG=" RISK-SEG
           IF AVG-TXN-AMT IS NUMERIC
               MOVE AVG-TXN-AMT TO WS-E-AVG-TXN-AMT
               DISPLAY "AVG-TXN-AMT=" WS-E-AVG-TXN-AMT
           ELSE
               DISPLAY "AVG-TXN-AMT=INVALID"
           END-IF
           IF MONTHS-ON-BOOK IS NUMERIC
               MOVE MONTHS-ON-BOOK TO WS-E-MONTHS-ON-BOOK
               DISPLAY "MONTHS-ON-BOOK=" WS-E-MONTHS-ON-BOOK
           ELSE
               DISPLAY "MONTHS-ON-BOOK=INVALID"
           END-IF
           IF DELINQ-COUNT IS NUMERIC
               MOVE DELINQ-COUNT TO WS-E-DELINQ-COUNT
               DISPLAY "DELINQ-COUNT=" WS-E-DELINQ-COUNT
           ELSE
               DISPLAY "DELINQ-COUNT=INVALID"
           END-IF
           IF UTILISATION-PCT IS NUMERIC
               MOVE UTILISATION-PCT TO WS-E-UTILISATION-PCT
               DISPLAY "UTILISATION-PCT=" WS-E-UTILISATION-PCT
           ELSE
               DISPLAY "UTILISATION-PCT=INVALID"
           END-IF
           IF SCORE IS NUMERIC
               MOVE SCORE TO WS-E-SCORE
               DISPLAY "SCORE=" WS-E-SCORE
           ELSE
               DISPLAY "SCORE=INVALID"
           END-IF
           DISPLAY "SCORE-BAND=" SCORE-BAND
           PERFORM VARYING WS-I FROM 1 BY 1 UNTIL WS-I > 4
               DISPLAY "REASON-CODE(" WS-I ")=" REASON-CODE(WS-I)
           END-PERFORM
           DISPLAY "MODEL-ID=" MODEL-ID
           DISPLAY "SCORE-STATUS=" SCORE-STATUS.
