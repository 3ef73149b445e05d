-- A provider is one unit of code (issue 17 §1): lib/providers/registry.c is
-- the only list of kinds, and the C code refuses an unknown one (Settings ›
-- Integrations answers 400, the hook treats it as not configured). The
-- ENUM repeated that list in SQL, so adding a provider meant a migration
-- too; a plain column keeps the data and drops the second list. Existing
-- values are already lowercase ASCII names, so nothing is converted.
ALTER TABLE integrations
  MODIFY kind VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL;
