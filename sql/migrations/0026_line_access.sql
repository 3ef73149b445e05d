-- Which employees see a line's calls (issue 19 items 5 and 7).
--
-- line_access: per integration and per line (our external number as
-- store_numbers keeps it, '' = every line of the integration), the users
-- who get its popups and may call from it. The rule that reads it is
-- line_acl_allows() in lib/auth/line_access.c: a line with rows of its own
-- admits only those users; else the integration's '' rows, when there are
-- any; else everybody with the permissions (the behaviour before this
-- table, so existing installs do not change). History stays on the role
-- rules.
CREATE TABLE line_access (
  integration_id BIGINT UNSIGNED NOT NULL,
  line           VARCHAR(32) NOT NULL DEFAULT '',
  user_id        BIGINT UNSIGNED NOT NULL,
  PRIMARY KEY (integration_id, line, user_id),
  KEY ix_line_access_user (user_id),
  CONSTRAINT fk_line_access_integration FOREIGN KEY (integration_id)
    REFERENCES integrations (id) ON DELETE CASCADE,
  CONSTRAINT fk_line_access_user FOREIGN KEY (user_id)
    REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The store's country (ISO 3166 alpha-2) decides which telephony kinds a
-- new integration for it may be (lib/providers/registry.c
-- provider_serves()). NULL = the system's (default_country in
-- callboard.conf).
ALTER TABLE stores ADD COLUMN country CHAR(2) CHARACTER SET ascii
  COLLATE ascii_general_ci NULL AFTER address;
