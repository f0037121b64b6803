-- Schema version 13: privacy (issue 21, docs/privacy.md).
--
-- * customer_pseudonym: the one form a customer id (a caller's phone number) is stored in:
--   'hmac1:' || the first 32 hex digits of HMAC-SHA256(key, trimmed id), from the key's pads the
--   store gives every writing connection (data/idkey.py). An id that tells no customer apart
--   (usable_customer_id, migration 0006: empty, 0, withheld, anonymous, ...) becomes NULL, so it
--   stays out of FCR as before and is never hashed into one shared "customer"; an id already in
--   that form is kept, so hashing twice changes nothing (kept queue_log lines are read again).
--   Without the pads it fails rather than store NULL for every caller.
-- * pseudonymous_queue_log_line: a queue_log line with ENTERQUEUE's caller id (its 7th field)
--   in that form: the lines queue_log_pending keeps are stored so.
-- * id_key: the fingerprint of the key the database's pseudonyms were made with; a write under
--   another key is refused (data/store.py).
-- * in_house_shown: the partners whose own users may see the centre's in-house figures beside
--   theirs (meetings, packs, scorecard mail); a partner not listed may not (the default).
--
-- An existing database is brought forward in this migration's transaction: every stored id is
-- hashed, the kept queue_log lines are rewritten and customer_calls is rebuilt from the legs.
-- repeat_gaps needs no rebuild: equal ids stay equal and different ids stay different.
CREATE MACRO customer_pseudonym(id) AS (
    CASE
        WHEN NOT usable_customer_id(id) THEN NULL
        WHEN regexp_full_match(id, 'hmac1:[0-9a-f]{32}') THEN id
        WHEN getvariable('overflow_id_ipad') IS NULL OR getvariable('overflow_id_opad') IS NULL
            THEN error('no customer-id key is bound to this connection (data/idkey.py)')
        ELSE 'hmac1:' || left(sha256(getvariable('overflow_id_opad')
                                     || unhex(sha256(getvariable('overflow_id_ipad') || encode(trim(id))))), 32)
    END
);

CREATE MACRO pseudonymous_queue_log_line(raw) AS (
    CASE
        WHEN upper(trim(split_part(raw, '|', 5))) = 'ENTERQUEUE' AND len(string_split(raw, '|')) >= 7
            THEN array_to_string(list_concat(string_split(raw, '|')[1:6],
                                             [coalesce(customer_pseudonym(trim(string_split(raw, '|')[7])), '')],
                                             string_split(raw, '|')[8:]), '|')
        ELSE raw
    END
);

CREATE TABLE id_key (fingerprint VARCHAR NOT NULL);
INSERT INTO id_key SELECT customer_pseudonym('key check 1');

UPDATE call_legs SET customer_id = customer_pseudonym(customer_id) WHERE customer_id IS NOT NULL;
UPDATE queue_log_pending SET raw = pseudonymous_queue_log_line(raw);
DELETE FROM customer_calls;
INSERT INTO customer_calls SELECT * FROM customer_calls_of(NULL);

CREATE TABLE in_house_shown (
    partner_id INTEGER PRIMARY KEY,   -- a partner listed here lets its own users see the in-house figures
    since      TIMESTAMPTZ NOT NULL DEFAULT now()
);
