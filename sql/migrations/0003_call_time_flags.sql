-- Which call and leg times a provider stated, as opposed to times filled in
-- from when an event arrived (a late push that states no time must never
-- beat the exact time in the provider's final record), and whether the
-- provider's final record named who talked last (then live pushes that
-- arrive later do not change it). See lib/db/ingest.c.
--   time_flags bit 0: answered_at stated, bit 1: ended_at stated,
--              bit 2: started_at stated
ALTER TABLE calls
  ADD COLUMN time_flags TINYINT UNSIGNED NOT NULL DEFAULT 0,
  ADD COLUMN talker_final TINYINT(1) NOT NULL DEFAULT 0;
ALTER TABLE call_legs
  ADD COLUMN time_flags TINYINT UNSIGNED NOT NULL DEFAULT 0;
