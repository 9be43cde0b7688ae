"""Background jobs: long work started from a page (a НОБД check, a large export), run by `goszakaz worker`."""
