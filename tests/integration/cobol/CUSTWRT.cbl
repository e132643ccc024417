      *================================================================*
      * CUSTWRT   WRITES N CUSTOMER-REC RECORDS (COPYBOOK CUSTOMER.CPY)
      *           WITH KNOWN VALUES TO THE FILE OF DD CUSTOUT.
      *           N IS THE COMMAND-LINE ARGUMENT (DEFAULT 8). RECORD I
      *           TAKES CASE MOD(I - 1, 8) + 1 OF THE TABLE BELOW AND,
      *           AFTER THE FIRST 8, CUST-ID = I. SCORE-AREA AND FILLER
      *           ARE LEFT AS SPACES FOR THE SCORING STEP. THE PYTHON
      *           MIRROR OF THESE VALUES IS TESTS/INTEGRATION/
      *           COBOL_RECORDS.PY: CHANGE BOTH OR NEITHER.
      *================================================================*
       IDENTIFICATION DIVISION.
       PROGRAM-ID. CUSTWRT.
       ENVIRONMENT DIVISION.
       INPUT-OUTPUT SECTION.
       FILE-CONTROL.
           SELECT CUST-FILE ASSIGN TO "CUSTOUT"
               ORGANIZATION IS SEQUENTIAL
               FILE STATUS IS WS-STATUS.
       DATA DIVISION.
       FILE SECTION.
       FD  CUST-FILE
           RECORDING MODE IS F.
           COPY "customer.cpy".
       WORKING-STORAGE SECTION.
       01  WS-STATUS               PIC XX.
       01  WS-ARG                  PIC X(20).
       01  WS-COUNT                PIC 9(9).
       01  WS-REC-NO               PIC 9(9).
       01  WS-CASE                 PIC 9.
       PROCEDURE DIVISION.
       MAIN-LINE.
           ACCEPT WS-ARG FROM COMMAND-LINE
           IF WS-ARG = SPACES
               MOVE 8 TO WS-COUNT
           ELSE
               COMPUTE WS-COUNT = FUNCTION NUMVAL(WS-ARG)
           END-IF
           OPEN OUTPUT CUST-FILE
           IF WS-STATUS NOT = "00"
               DISPLAY "FILE-STATUS=" WS-STATUS " ON OPEN CUSTOUT"
               MOVE 8 TO RETURN-CODE
               STOP RUN
           END-IF
           PERFORM VARYING WS-REC-NO FROM 1 BY 1
                   UNTIL WS-REC-NO > WS-COUNT
               COMPUTE WS-CASE = FUNCTION MOD(WS-REC-NO - 1, 8) + 1
               MOVE SPACES TO CUSTOMER-REC
               PERFORM FILL-CASE
               IF WS-REC-NO > 8
                   MOVE WS-REC-NO TO CUST-ID
               END-IF
               WRITE CUSTOMER-REC
               IF WS-STATUS NOT = "00"
                   DISPLAY "FILE-STATUS=" WS-STATUS " ON WRITE"
                   MOVE 8 TO RETURN-CODE
               END-IF
           END-PERFORM
           CLOSE CUST-FILE
           DISPLAY "RECORDS-WRITTEN=" WS-COUNT
           STOP RUN.

       FILL-CASE.
           EVALUATE WS-CASE
           WHEN 1
      *        TYPICAL POSITIVE VALUES
               MOVE 1                   TO CUST-ID
               MOVE "ALICE SMITH"       TO CUST-NAME
               MOVE 19800115            TO BIRTH-DATE
               MOVE 12345678901.23      TO BALANCE
               MOVE 1234567.89          TO CREDIT-LIMIT
               MOVE 1234                TO TXN-COUNT
               MOVE "RT"                TO RISK-SEG
               MOVE 12345.67            TO AVG-TXN-AMT
               MOVE 120                 TO MONTHS-ON-BOOK
               MOVE 3                   TO DELINQ-COUNT
               MOVE 45.6                TO UTILISATION-PCT
           WHEN 2
      *        THE SAME MAGNITUDES, NEGATIVE
               MOVE 2                   TO CUST-ID
               MOVE "BOB JONES"         TO CUST-NAME
               MOVE 19751231            TO BIRTH-DATE
               MOVE -12345678901.23     TO BALANCE
               MOVE -1234567.89         TO CREDIT-LIMIT
               MOVE -1234               TO TXN-COUNT
               MOVE "PR"                TO RISK-SEG
               MOVE -12345.67           TO AVG-TXN-AMT
               MOVE 1                   TO MONTHS-ON-BOOK
               MOVE 0                   TO DELINQ-COUNT
               MOVE -45.6               TO UTILISATION-PCT
           WHEN 3
      *        ZERO EVERYWHERE, NAME LEFT AS SPACES
               MOVE 3                   TO CUST-ID
               MOVE 0                   TO BIRTH-DATE
               MOVE 0                   TO BALANCE
               MOVE 0                   TO CREDIT-LIMIT
               MOVE 0                   TO TXN-COUNT
               MOVE "SB"                TO RISK-SEG
               MOVE 0                   TO AVG-TXN-AMT
               MOVE 0                   TO MONTHS-ON-BOOK
               MOVE 0                   TO DELINQ-COUNT
               MOVE 0                   TO UTILISATION-PCT
           WHEN 4
      *        THE LARGEST VALUE EVERY PICTURE HOLDS
               MOVE 999999999           TO CUST-ID
               MOVE "MAXIMILIAN MAXWELL-MAXIMUS III" TO CUST-NAME
               MOVE 99991231            TO BIRTH-DATE
               MOVE 99999999999.99      TO BALANCE
               MOVE 9999999.99          TO CREDIT-LIMIT
               MOVE 9999                TO TXN-COUNT
               MOVE "ST"                TO RISK-SEG
               MOVE 9999999.99          TO AVG-TXN-AMT
               MOVE 999                 TO MONTHS-ON-BOOK
               MOVE 99                  TO DELINQ-COUNT
               MOVE 999.9               TO UTILISATION-PCT
           WHEN 5
      *        THE SMALLEST (MOST NEGATIVE) VALUE OF EVERY SIGNED FIELD
               MOVE 5                   TO CUST-ID
               MOVE "MINNIE MINIMUM"    TO CUST-NAME
               MOVE 19000101            TO BIRTH-DATE
               MOVE -99999999999.99     TO BALANCE
               MOVE -9999999.99         TO CREDIT-LIMIT
               MOVE -9999               TO TXN-COUNT
               MOVE "RT"                TO RISK-SEG
               MOVE -9999999.99         TO AVG-TXN-AMT
               MOVE 0                   TO MONTHS-ON-BOOK
               MOVE 0                   TO DELINQ-COUNT
               MOVE -999.9              TO UTILISATION-PCT
           WHEN 6
      *        SMALL NEGATIVES: ONE UNIT OF THE LAST DIGIT
               MOVE 6                   TO CUST-ID
               MOVE "SMALL NEGATIVE"    TO CUST-NAME
               MOVE 20000229            TO BIRTH-DATE
               MOVE -0.01               TO BALANCE
               MOVE -0.01               TO CREDIT-LIMIT
               MOVE -1                  TO TXN-COUNT
               MOVE "PR"                TO RISK-SEG
               MOVE -0.01               TO AVG-TXN-AMT
               MOVE 1                   TO MONTHS-ON-BOOK
               MOVE 1                   TO DELINQ-COUNT
               MOVE -0.1                TO UTILISATION-PCT
           WHEN 7
      *        SMALL POSITIVES, LOWER-CASE NAME
               MOVE 7                   TO CUST-ID
               MOVE "small positive"    TO CUST-NAME
               MOVE 20240101            TO BIRTH-DATE
               MOVE 0.01                TO BALANCE
               MOVE 0.01                TO CREDIT-LIMIT
               MOVE 1                   TO TXN-COUNT
               MOVE "SB"                TO RISK-SEG
               MOVE 0.01                TO AVG-TXN-AMT
               MOVE 2                   TO MONTHS-ON-BOOK
               MOVE 2                   TO DELINQ-COUNT
               MOVE 0.1                 TO UTILISATION-PCT
           WHEN 8
      *        MIXED SIGNS, PUNCTUATION IN THE NAME
               MOVE 8                   TO CUST-ID
               MOVE "O'BRIEN & SONS, LTD. #8" TO CUST-NAME
               MOVE 19991231            TO BIRTH-DATE
               MOVE 1000000             TO BALANCE
               MOVE -0.5                TO CREDIT-LIMIT
               MOVE 0                   TO TXN-COUNT
               MOVE "ST"                TO RISK-SEG
               MOVE -9.99               TO AVG-TXN-AMT
               MOVE 36                  TO MONTHS-ON-BOOK
               MOVE 12                  TO DELINQ-COUNT
               MOVE 100                 TO UTILISATION-PCT
           END-EVALUATE.
