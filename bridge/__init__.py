"""mainframe-bridge: COBOL copybook layouts, EBCDIC record codecs and LightGBM scoring for z/OS batch flows."""
__version__ = "0.1.0"
