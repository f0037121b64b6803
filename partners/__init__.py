"""Partners, agreements, service meetings, action items and access: the domain and its storage."""
