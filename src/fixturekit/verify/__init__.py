"""Verification and repair: prove generated factories against a real database, fix what fails.

database.py  where the database comes from, and its creation and drop
running.py   generated module text run as factories, 1 + N rows each, rolled back
mapping.py   a database error back to a table and its columns
checks.py    the database evaluating a CHECK on candidate values
loop.py      render, run, diagnose, try the next candidate, run again
report.py    the outcomes, and the record that regeneration reads back
"""
