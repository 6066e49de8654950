-- The first schema: accounts, agents, leads, events, webhook endpoints,
-- dispatch runs, deliveries and the job queue.  Times are milliseconds
-- since the epoch; booleans are 0/1.

CREATE TABLE workspaces (
	id TEXT PRIMARY KEY,
	name TEXT NOT NULL,
	created_at BIGINT NOT NULL
);

CREATE TABLE users (
	id TEXT PRIMARY KEY,
	email TEXT NOT NULL UNIQUE,
	name TEXT,
	password_hash TEXT NOT NULL,
	created_at BIGINT NOT NULL
);

CREATE TABLE memberships (
	workspace_id TEXT NOT NULL REFERENCES workspaces (id),
	user_id TEXT NOT NULL REFERENCES users (id),
	role TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
	created_at BIGINT NOT NULL,
	PRIMARY KEY (workspace_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);

CREATE TABLE agents (
	id TEXT PRIMARY KEY,
	workspace_id TEXT NOT NULL REFERENCES workspaces (id),
	name TEXT NOT NULL,
	widget_key TEXT NOT NULL UNIQUE,
	created_at BIGINT NOT NULL
);

CREATE TABLE api_tokens (
	id TEXT PRIMARY KEY,
	workspace_id TEXT NOT NULL REFERENCES workspaces (id),
	user_id TEXT NOT NULL REFERENCES users (id),
	token_hash TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	last_used_at BIGINT,
	revoked_at BIGINT
);

CREATE TABLE leads (
	id TEXT PRIMARY KEY,
	workspace_id TEXT NOT NULL REFERENCES workspaces (id),
	agent_id TEXT NOT NULL REFERENCES agents (id),
	email TEXT NOT NULL,
	name TEXT,
	phone TEXT,
	company TEXT,
	message TEXT,
	page_url TEXT,
	conversation_id TEXT,
	fields TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	UNIQUE (agent_id, email)
);
CREATE INDEX leads_workspace ON leads (workspace_id, id);

CREATE TABLE idempotency_keys (
	agent_id TEXT NOT NULL REFERENCES agents (id),
	idem_key TEXT NOT NULL,
	request_hash TEXT NOT NULL,
	status INTEGER NOT NULL,
	body TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	PRIMARY KEY (agent_id, idem_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

CREATE TABLE events (
	id TEXT PRIMARY KEY,
	workspace_id TEXT NOT NULL REFERENCES workspaces (id),
	type TEXT NOT NULL,
	test INTEGER NOT NULL DEFAULT 0,
	payload TEXT NOT NULL,
	created_at BIGINT NOT NULL
);

CREATE TABLE webhook_endpoints (
	id TEXT PRIMARY KEY,
	workspace_id TEXT NOT NULL REFERENCES workspaces (id),
	url TEXT NOT NULL,
	description TEXT NOT NULL,
	enabled INTEGER NOT NULL,
	disabled_reason TEXT,
	secret_enc TEXT NOT NULL,
	previous_secret_enc TEXT,
	previous_secret_expires_at BIGINT,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX webhook_endpoints_workspace ON webhook_endpoints (workspace_id, id);

CREATE TABLE webhook_subscriptions (
	endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints (id)
	    ON DELETE CASCADE,
	event_type TEXT NOT NULL,
	PRIMARY KEY (endpoint_id, event_type)
);

CREATE TABLE workflow_runs (
	id TEXT PRIMARY KEY,
	workspace_id TEXT NOT NULL REFERENCES workspaces (id),
	workflow_id TEXT,
	event_id TEXT NOT NULL REFERENCES events (id),
	status TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX workflow_runs_workspace ON workflow_runs (workspace_id, id);
CREATE INDEX workflow_runs_event ON workflow_runs (event_id);

CREATE TABLE run_steps (
	id TEXT PRIMARY KEY,
	run_id TEXT NOT NULL REFERENCES workflow_runs (id),
	position INTEGER NOT NULL,
	type TEXT NOT NULL,
	endpoint_id TEXT,
	url TEXT,
	status TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX run_steps_run ON run_steps (run_id, position);

CREATE TABLE deliveries (
	id TEXT PRIMARY KEY,
	workspace_id TEXT NOT NULL REFERENCES workspaces (id),
	message_id TEXT NOT NULL,
	event_id TEXT NOT NULL REFERENCES events (id),
	endpoint_id TEXT,
	run_id TEXT,
	step_id TEXT,
	redelivery_of TEXT,
	url TEXT NOT NULL,
	status TEXT NOT NULL,
	status_code INTEGER,
	error TEXT,
	duration_ms INTEGER NOT NULL DEFAULT 0,
	request_headers TEXT,
	response_headers TEXT,
	response_body TEXT,
	created_at BIGINT NOT NULL,
	attempted_at BIGINT
);
CREATE INDEX deliveries_endpoint ON deliveries (endpoint_id, id);
CREATE INDEX deliveries_step ON deliveries (step_id, id);

CREATE TABLE jobs (
	id TEXT PRIMARY KEY,
	type TEXT NOT NULL,
	ref_id TEXT NOT NULL,
	workspace_id TEXT,
	state TEXT NOT NULL,
	attempts INTEGER NOT NULL DEFAULT 0,
	max_attempts INTEGER NOT NULL,
	run_at BIGINT NOT NULL,
	lease_until BIGINT,
	last_error TEXT,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX jobs_ready ON jobs (state, run_at);
