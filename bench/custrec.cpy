      * CUSTOMER-REC as given in issue 3: the layout of the codec benchmark (85 bytes).
       01  CUSTOMER-REC.
           05  CUST-ID            PIC 9(9)       COMP.
           05  CUST-NAME          PIC X(30).
           05  BIRTH-DATE         PIC 9(8).
           05  BALANCE            PIC S9(11)V99  COMP-3.
           05  CREDIT-LIMIT       PIC S9(7)V99   COMP-3.
           05  TXN-COUNT          PIC S9(4)      COMP.
           05  RISK-SEG           PIC X(2).
           05  SCORE              PIC 9V9999.
           05  AVG-TXN-AMT        PIC S9(7)V99.
           05  MONTHS-ON-BOOK     PIC 9(3).
           05  FILLER             PIC X(10).
