-- A user's softphone link (issue 5 §3): with deep_link on, call buttons
-- open the user's own softphone instead of asking the provider. With a SIP
-- domain (the host of the user's SIP account, optionally :port, as
-- lib/http/dial_link.c checks it) the link is sip:<E.164>@<domain>, which a
-- SIP client (Zoiper, MicroSIP, Linphone, a desk phone's web dialler)
-- places through that account; without one it is tel:<E.164>, which the
-- operating system hands to whatever app registered for tel:.
ALTER TABLE users
  ADD COLUMN sip_domain VARCHAR(259) NULL AFTER deep_link;
