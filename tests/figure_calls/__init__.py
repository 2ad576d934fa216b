"""One module per chapter: CALLS, zero-argument calls of that chapter's figure functions (tests/test_i18n.py runs them
under lang="zh" and checks that every label they look up has a translation)."""
