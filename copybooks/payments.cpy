      ******************************************************************
      * PAYBATCH  PAYMENT BATCH FILE: ONE HEADER, DETAILS, ONE TRAILER
      *           RECFM=FB LRECL=80; REC-TYPE TELLS THE RECORDS APART
      ******************************************************************
       01  BATCH-HEADER.
           05  HDR-REC-TYPE            PIC X(1).
               88  IS-HEADER           VALUE 'H'.
           05  HDR-BATCH-ID            PIC X(10).
           05  HDR-CREATED-DATE        PIC 9(8).
           05  HDR-CREATED-TIME        PIC 9(6).
           05  HDR-SOURCE-SYSTEM       PIC X(8).
           05  FILLER                  PIC X(47).
       01  PAYMENT-DETAIL.
           05  DTL-REC-TYPE            PIC X(1).
               88  IS-DETAIL           VALUE 'D'.
           05  DTL-SEQ-NO              PIC 9(7).
           05  DTL-ACCOUNT             PIC X(16).
           05  DTL-AMOUNT              PIC S9(11)V99 COMP-3.
           05  DTL-VALUE-DATE          PIC 9(8).
           05  DTL-DIRECTION           PIC X.
               88  DTL-CREDIT          VALUE 'C'.
               88  DTL-DEBIT           VALUE 'D'.
           05  DTL-REFERENCE           PIC X(20).
           05  DTL-FEE                 PIC S9(5)V99 COMP.
           05  FILLER                  PIC X(16).
       01  BATCH-TRAILER.
           05  TRL-REC-TYPE            PIC X(1).
               88  IS-TRAILER          VALUE 'T'.
           05  TRL-RECORD-COUNT        PIC 9(9).
           05  TRL-TOTAL-AMOUNT        PIC S9(15)V99 COMP-3.
           05  TRL-HASH-TOTAL          PIC S9(18) COMP.
           05  FILLER                  PIC X(53).
