"""The commercial side of an agreement: month closes, credits and bonuses, invoices and disputes."""
