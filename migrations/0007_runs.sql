-- Pipeline runs: the D1 index of runs for lists and filters; step states and events live in each
-- run's PipelineRun Durable Object.
CREATE TABLE `runs` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`pipeline_id` text NOT NULL REFERENCES `pipelines`(`id`) ON DELETE CASCADE,
	`version_id` text NOT NULL REFERENCES `pipeline_versions`(`id`) ON DELETE CASCADE,
	`project_id` text REFERENCES `projects`(`id`) ON DELETE SET NULL,
	`ticket_id` text REFERENCES `tickets`(`id`) ON DELETE SET NULL,
	`status` text NOT NULL,
	`trigger` text NOT NULL,
	`concurrency` text NOT NULL,
	`input` text NOT NULL,
	`error` text,
	`idempotency_key` text,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`started_at` integer,
	`finished_at` integer
);
--> statement-breakpoint
CREATE INDEX `runs_org_idx` ON `runs` (`org_id`,`id`);--> statement-breakpoint
CREATE INDEX `runs_org_status_idx` ON `runs` (`org_id`,`status`,`id`);--> statement-breakpoint
CREATE INDEX `runs_org_pipeline_idx` ON `runs` (`org_id`,`pipeline_id`,`id`);--> statement-breakpoint
CREATE INDEX `runs_active_idx` ON `runs` (`org_id`,`pipeline_id`,`project_id`,`ticket_id`,`status`);--> statement-breakpoint
CREATE UNIQUE INDEX `runs_org_idempotency_uq` ON `runs` (`org_id`,`idempotency_key`) WHERE idempotency_key IS NOT NULL;--> statement-breakpoint
CREATE TABLE `run_agents` (
	`run_id` text NOT NULL REFERENCES `runs`(`id`) ON DELETE CASCADE,
	`agent_id` text NOT NULL REFERENCES `agents`(`id`) ON DELETE CASCADE,
	`org_id` text NOT NULL,
	PRIMARY KEY(`run_id`, `agent_id`)
);
--> statement-breakpoint
CREATE INDEX `run_agents_agent_idx` ON `run_agents` (`org_id`,`agent_id`,`run_id`);
