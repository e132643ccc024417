      *****************************************************************         
      * Transaction category record (TRANCATG file, RECLN = 60).
      * Key: type code + 4-digit category code. Stores the
      * category description (e.g., 'Groceries', 'Fuel').
      * Used for category lookups in reporting (CBTRN03C)
      * and transaction display screens.
      *****************************************************************         
       01  TRAN-CAT-RECORD.                                                     
           05  TRAN-CAT-KEY.                                                    
              10  TRAN-TYPE-CD                         PIC X(02).               
              10  TRAN-CAT-CD                          PIC 9(04).               
           05  TRAN-CAT-TYPE-DESC                      PIC X(50).               
           05  FILLER                                  PIC X(04).               
      *
      * Ver: CardDemo_v1.0-15-g27d6c6f-68 Date: 2022-07-19 23:16:01 CDT
      *
