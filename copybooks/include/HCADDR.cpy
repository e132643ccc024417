000100* HCADDR    POSTAL ADDRESS; :PFX: IS REPLACED BY THE COPYING      HCADDR
000200*           PROGRAM (COPY HCADDR REPLACING ==:PFX:== BY ==XX==)   HCADDR
000300      05  :PFX:-ADDRESS.                                          HCADDR
000400          10  :PFX:-STREET      PIC X(30).                        HCADDR
000500          10  :PFX:-CITY        PIC X(20).                        HCADDR
000600          10  :PFX:-POSTCODE    PIC X(8).                         HCADDR
000700          10  :PFX:-COUNTRY     PIC X(2) VALUE 'GB'.              HCADDR
