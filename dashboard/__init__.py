"""The analysts' Dash app: one page per module in dashboard/pages."""
