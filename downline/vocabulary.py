"""The values the input contract allows for order kinds, commission types and statuses.

Shared by the ingest (which checks them), the snapshot (which stores each value as its
position in these tuples) and the analytics.
"""

ORDER_KINDS = ("retail", "personal", "starter_kit")
COMMISSION_TYPES = ("retail_margin", "level", "rank_bonus", "recruitment", "other")
STATUSES = ("active", "inactive", "terminated")
