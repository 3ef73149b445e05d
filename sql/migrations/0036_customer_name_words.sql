-- Issue 18: the history's contact filter finds a surname, not only the
-- beginning of a name. "Dudek" must find "Michał Dudek" and "Nowak" must find
-- "Anna Kowalska-Nowak", and the search must stay an index range.
--
-- customer_name_words holds every word of every customer's name: the words
-- between spaces, and for a word with hyphens or apostrophes also its parts
-- ("Kowalska-Nowak", "Kowalska", "Nowak"). lib/db/call.c
-- db_call_contact_ids reads a one-word search as a prefix range of its
-- primary key. The column has customers.name's collation
-- (utf8mb4_unicode_ci), so the match ignores case and accents the same way.
--
-- The triggers below keep it in step with customers in the same transaction;
-- a deleted customer's words go by the foreign key's cascade. The splitting
-- rule lives in one place: cb_customer_name_words.
CREATE TABLE customer_name_words (
  word        VARCHAR(255) NOT NULL,
  customer_id BIGINT UNSIGNED NOT NULL,
  PRIMARY KEY (word, customer_id),
  KEY ix_customer_name_words_customer (customer_id),
  CONSTRAINT fk_customer_name_words_customer FOREIGN KEY (customer_id)
    REFERENCES customers (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Replaces customer p_id's words with those of p_name. Two passes over the
-- space-separated words: the name as it is (whole words) and the name with
-- hyphens and apostrophes (' and U+2019) made spaces (the parts); INSERT
-- IGNORE drops a word the collation already holds.
CREATE PROCEDURE cb_customer_name_words(IN p_id BIGINT UNSIGNED,
    IN p_name VARCHAR(255) CHARSET utf8mb4 COLLATE utf8mb4_unicode_ci)
BEGIN
  DECLARE pass INT DEFAULT 0;
  DECLARE rest VARCHAR(255) CHARSET utf8mb4 COLLATE utf8mb4_unicode_ci;
  DECLARE w VARCHAR(255) CHARSET utf8mb4 COLLATE utf8mb4_unicode_ci;
  DELETE FROM customer_name_words WHERE customer_id = p_id;
  WHILE pass < 2 DO
    SET rest = IF(pass = 0, p_name, REPLACE(REPLACE(REPLACE(p_name,
        '-', ' '), '''', ' '), _utf8mb4 x'E28099', ' '));
    SET rest = TRIM(REGEXP_REPLACE(rest, '[[:space:]]+', ' '));
    WHILE rest <> '' DO
      SET w = SUBSTRING_INDEX(rest, ' ', 1);
      INSERT IGNORE INTO customer_name_words (word, customer_id)
        VALUES (w, p_id);
      SET rest = SUBSTRING(rest, CHAR_LENGTH(w) + 2);
    END WHILE;
    SET pass = pass + 1;
  END WHILE;
END;

CREATE TRIGGER tr_customers_name_words_ins AFTER INSERT ON customers
  FOR EACH ROW CALL cb_customer_name_words(NEW.id, NEW.name);
-- Only when the name changed (byte for byte: a change of case is a change).
CREATE TRIGGER tr_customers_name_words_upd AFTER UPDATE ON customers
  FOR EACH ROW BEGIN
    IF NOT (BINARY NEW.name <=> BINARY OLD.name) THEN
      CALL cb_customer_name_words(NEW.id, NEW.name);
    END IF;
  END;

-- The existing customers, once.
BEGIN NOT ATOMIC
  FOR c IN (SELECT id, name FROM customers) DO
    CALL cb_customer_name_words(c.id, c.name);
  END FOR;
END;
