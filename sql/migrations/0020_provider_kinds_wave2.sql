-- integrations.kind becomes a plain column checked against the provider
-- registry (lib/providers/registry.c), so a new provider needs no SQL:
-- Phonet, UniTalk, Stream Telecom and Yeastar (issue 17 part 2). Migration
-- 0018 does the same; running it twice changes nothing.
ALTER TABLE integrations MODIFY kind VARCHAR(32) NOT NULL;
