"""The contract: partners, queues, agreements and their terms in force, opening hours, who may see
what, and the calendar. Above the store; everything that judges a figure asks here which terms apply."""
