-- The language a user reads Callboard in (issue 18 "Languages"): a code
-- of lib/i18n/i18n.h ("en", "uk", "ru", "es", "pl"), chosen on the
-- profile page. NULL: the browser's Accept-Language decides, per request.
ALTER TABLE users
  ADD COLUMN language VARCHAR(8) NULL;
