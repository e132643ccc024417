/* REXX */
/*------------------------------------------------------------------*/
/* RCSTATUS  SET THE JOB STEP'S CONDITION CODE FROM A MAINFRAME-     */
/*           BRIDGE STATUS FILE (A Z/OS UNIX FILE, GOT IN BINARY).   */
/*                                                                  */
/*   //RCSTATUS EXEC PGM=IRXJCL,PARM='RCSTATUS /path/NAME.status'   */
/*   //SYSEXEC  DD DISP=SHR,DSN=library.holding.this.member         */
/*   //SYSTSPRT DD SYSOUT=*                                         */
/*   //SYSTSIN  DD DUMMY                                            */
/*                                                                  */
/* THE FILE IS ASCII, ONE KEY=VALUE A LINE, LF LINE ENDS, AND ITS   */
/* FIRST LINE IS RC=NNNN. IT IS READ AS BYTES AND TRANSLATED HERE,  */
/* SO IT WORKS WHATEVER THE TRANSFER DID NOT DO AND WHATEVER THE    */
/* EBCDIC CODE PAGE OF THIS MEMBER: ONLY LETTERS, DIGITS AND        */
/* = - . , : / _ ( ) + ARE MAPPED, ALL OTHERS SHOW AS ?.            */
/*                                                                  */
/* EXIT: THE RC OF THE FILE (0, 4, 8, 12), OR 16 WHEN THE FILE IS   */
/* MISSING, EMPTY, TOO BIG OR DOES NOT START WITH RC=NNNN.          */
/*------------------------------------------------------------------*/
parse arg path .
if path = '' then call fail 'NO FILE NAMED: PARM=''RCSTATUS /path'''
raw = readfile(path)
if raw = '' then call fail path 'IS EMPTY'
if length(raw) > 4096 then call fail path 'IS NOT A STATUS FILE'

/* ASCII TO THIS EXEC'S CODE PAGE: POSITION = ASCII BYTE + 1 */
tab = copies('?', 256)
tab = overlay(' ', tab, c2d('20'x) + 1)
tab = overlay('()', tab, c2d('28'x) + 1)
tab = overlay('+,-./0123456789:', tab, c2d('2B'x) + 1)
tab = overlay('=', tab, c2d('3D'x) + 1)
tab = overlay('ABCDEFGHIJKLMNOPQRSTUVWXYZ', tab, c2d('41'x) + 1)
tab = overlay('_', tab, c2d('5F'x) + 1)
tab = overlay('abcdefghijklmnopqrstuvwxyz', tab, c2d('61'x) + 1)

n = 0
do while raw \== ''
  parse var raw line '0A'x raw
  n = n + 1
  text.n = translate(line, tab, xrange('00'x, 'FF'x))
  say 'RCSTATUS:' text.n
end
parse var text.1 key '=' code
if key \== 'RC' | \datatype(code, 'W') then
  call fail path 'DOES NOT START WITH RC=NNNN'
code = code + 0
if code < 0 | code > 4095 then
  call fail 'RC' code 'IS NOT A CONDITION CODE'
exit code

fail:
  say 'RCSTATUS:' arg(1)
  exit 16

/* THE FILE'S BYTES, UNTRANSLATED; STOPS ONCE IT HAS OVER 4096     */
readfile: procedure
  parse arg path
  if syscalls('ON') > 4 then call fail 'Z/OS UNIX SERVICES UNAVAILABLE'
  address syscall 'open' path o_rdonly 000
  if retval = -1 then call fail 'CANNOT OPEN' path '(ERRNO' errno')'
  fd = retval
  raw = ''
  do until retval <= 0 | length(raw) > 4096
    address syscall 'read' fd 'buf 4096'
    if retval > 0 then raw = raw || buf
  end
  address syscall 'close' fd
  return raw
