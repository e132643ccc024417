"""The `mfbridge` command line: one module per command group, loaded only when its command runs."""

#: The command's name in help, version and messages. `bridge` stays as an alias of the console
#: script, but on Debian/Ubuntu that name is also iproute2's /usr/sbin/bridge.
PROG = "mfbridge"
