"""`mfbridge profile`: what an extract really holds, per field and across fields, before a model meets it.

`profile_file` streams a file once (bounded memory) and returns the profile's JSON form;
`summary_text` turns it into the short text on standard output, and `bridge.report`
into the offline HTML page.
"""
from bridge.profile.profiler import ProfileOptions, profile_file
from bridge.profile.summary import summary_text

__all__ = ["ProfileOptions", "profile_file", "summary_text"]
