-- Schema version 18 (issue 20): the language a subscription's messages and files are written in.
-- NULL: the installation's `language` setting at the time of sending (data/settings.py), so a change
-- of the setting reaches every recipient who never chose one.
ALTER TABLE subscriptions ADD COLUMN language VARCHAR;
