"""Telling people: alert rules and the alerts they raise, subscriptions, and delivery by e-mail and
webhook (issue 18). Above reports (it mails their files), below ui (pages call it)."""
