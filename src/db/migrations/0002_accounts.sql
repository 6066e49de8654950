-- Sign-in sessions, sign-in throttling, the audit log, and finding a
-- message's latest delivery.

CREATE TABLE sessions (
	id TEXT PRIMARY KEY,
	token_hash TEXT NOT NULL UNIQUE,
	user_id TEXT NOT NULL REFERENCES users (id),
	workspace_id TEXT NOT NULL REFERENCES workspaces (id),
	created_at BIGINT NOT NULL,
	last_seen_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL,
	ended_at BIGINT
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE sign_in_failures (
	throttle_key TEXT PRIMARY KEY,
	window_start BIGINT NOT NULL,
	failures INTEGER NOT NULL
);

CREATE TABLE audit_log (
	id TEXT PRIMARY KEY,
	workspace_id TEXT NOT NULL REFERENCES workspaces (id),
	actor_user_id TEXT,
	actor_token_id TEXT,
	action TEXT NOT NULL,
	target_type TEXT NOT NULL,
	target_id TEXT,
	details TEXT,
	created_at BIGINT NOT NULL
);
CREATE INDEX audit_log_workspace ON audit_log (workspace_id, id);

CREATE INDEX deliveries_message ON deliveries (message_id, id);

-- Commands name workspaces by id or by name: names are unique.
CREATE UNIQUE INDEX workspaces_name ON workspaces (name);
