-- Schema version 17 (issue 20): each user's own language, kept with their grant.
--
-- access.language: the language code (data/i18n.LANGUAGES: en, sv) this user reads the app in, chosen
-- in the sidebar or with `python -m cli access grant EMAIL ... --lang sv`; NULL (every grant made before)
-- means the installation's `language` setting. Existing grants keep every column as they were.
ALTER TABLE access ADD COLUMN language VARCHAR;
