-- Custom actions of entities are camelCase (`checkIn`, `markMissed`): the audit row names them as the
-- API does. Security events stay dotted lower-case words (auth.login_failed).
ALTER TABLE audit_events DROP CONSTRAINT audit_events_action_check;
ALTER TABLE audit_events ADD CONSTRAINT audit_events_action_check CHECK (action ~ '^[a-z][a-zA-Z0-9_]*(\.[a-z][a-zA-Z0-9_]*)*$' AND char_length(action) <= 100);
