-- The navigation's unread counter (issue 18) runs on every page:
-- SELECT COUNT(*) FROM notifications WHERE user_id = ? AND read_at IS NULL.
-- ix_notifications_user (user_id, created_at) made it read every
-- notification the user ever had; with (user_id, read_at) it counts the
-- unread entries of the index only.
ALTER TABLE notifications ADD KEY ix_notifications_unread (user_id, read_at);
