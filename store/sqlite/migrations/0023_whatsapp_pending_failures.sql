-- 0023: how often a queued WhatsApp message failed, since when and why,
-- so the rule that gives a stuck message up (docs/whatsapp.md, "A queued
-- message that keeps failing") counts across restarts.
ALTER TABLE whatsapp_pending ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE whatsapp_pending ADD COLUMN failed_at TEXT;
ALTER TABLE whatsapp_pending ADD COLUMN last_error TEXT NOT NULL DEFAULT '';
