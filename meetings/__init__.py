"""Service meetings: minutes, action items, activities and the frozen record of the figures a meeting saw.
Above metrics (it freezes scorecards), below presentation (it words nothing itself)."""
