-- Issue 18. country: the viewer's country for showing numbers as people
-- write them (lib/phone/format.c: national form for this country,
-- international for the rest); NULL = the configuration's default_country.
-- last_dial_integration_id: the line the user last placed a call through,
-- the default of the next one-click call (cgi/dial.c) while they may still
-- use it and it can still dial; a deleted integration just forgets it.
ALTER TABLE users
  ADD COLUMN country CHAR(2) CHARACTER SET ascii NULL AFTER time_zone,
  ADD COLUMN last_dial_integration_id BIGINT UNSIGNED NULL,
  ADD CONSTRAINT fk_users_last_dial_integration
    FOREIGN KEY (last_dial_integration_id) REFERENCES integrations (id)
    ON DELETE SET NULL;
