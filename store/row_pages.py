"""The names resolvers/selections.py still lays a compiled list's rows out by (`layout`).

Only the executor that fetched rows level by level read that layout; every compiled read is now
written as JSON by the database (resolvers/compiled.py, store/json_sql.py), and this module goes
with the layout.
"""

SORT_VALUE = "sort_value"
TOTAL = "total_count"
PARENT = "parent_id"
