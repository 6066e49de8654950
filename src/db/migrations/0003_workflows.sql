-- Workflows and their steps, the workflow of a run step, and the fields
-- the queue needs to share its workers fairly.

CREATE TABLE workflows (
	id TEXT PRIMARY KEY,
	workspace_id TEXT NOT NULL REFERENCES workspaces (id),
	name TEXT NOT NULL,
	trigger_event TEXT NOT NULL,
	enabled INTEGER NOT NULL,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX workflows_workspace ON workflows (workspace_id, id);

-- A step's settings are the JSON text its type reads (a webhook's "url");
-- its signing secret, when its type has one, is sealed by the vault.
CREATE TABLE workflow_steps (
	id TEXT PRIMARY KEY,
	workflow_id TEXT NOT NULL REFERENCES workflows (id) ON DELETE CASCADE,
	workspace_id TEXT NOT NULL REFERENCES workspaces (id),
	position INTEGER NOT NULL,
	type TEXT NOT NULL,
	config TEXT NOT NULL,
	secret_enc TEXT,
	created_at BIGINT NOT NULL
);
CREATE INDEX workflow_steps_workflow ON workflow_steps (workflow_id, position);

-- A run step of a workflow run names the workflow step it runs, and the
-- message id its every attempt carries.
ALTER TABLE run_steps ADD COLUMN workflow_step_id TEXT;
ALTER TABLE run_steps ADD COLUMN message_id TEXT;
CREATE INDEX workflow_runs_workflow ON workflow_runs (workflow_id, id);

-- lane: what one job holds up when it hangs (a webhook endpoint, a
-- workflow step's target); claimed_by: the process that holds the job.
ALTER TABLE jobs ADD COLUMN lane TEXT;
ALTER TABLE jobs ADD COLUMN claimed_by TEXT;
