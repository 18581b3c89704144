CREATE TABLE `pipeline_assignments` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`project_id` text NOT NULL,
	`pipeline_id` text NOT NULL,
	`cron` text NOT NULL,
	`timezone` text NOT NULL,
	`input_template` text NOT NULL,
	`enabled` integer DEFAULT false NOT NULL,
	`missed_policy` text NOT NULL,
	`missed_cap` integer NOT NULL,
	`checked_through` integer NOT NULL,
	`next_fire_at` integer,
	`last_run_id` text,
	`last_run_at` integer,
	`last_trigger` text,
	`last_scheduled_at` integer,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`pipeline_id`) REFERENCES `pipelines`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `pipeline_assignments_project_idx` ON `pipeline_assignments` (`org_id`,`project_id`,`id`);--> statement-breakpoint
CREATE INDEX `pipeline_assignments_pipeline_idx` ON `pipeline_assignments` (`pipeline_id`);--> statement-breakpoint
CREATE INDEX `pipeline_assignments_due_idx` ON `pipeline_assignments` (`enabled`,`next_fire_at`);--> statement-breakpoint
CREATE TABLE `pipeline_assignment_slots` (
	`assignment_id` text NOT NULL,
	`scheduled_at` integer NOT NULL,
	`org_id` text NOT NULL,
	`state` text NOT NULL,
	`run_id` text,
	`error` text,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`assignment_id`, `scheduled_at`),
	FOREIGN KEY (`assignment_id`) REFERENCES `pipeline_assignments`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `pipeline_assignment_slots_created_idx` ON `pipeline_assignment_slots` (`created_at`);--> statement-breakpoint
CREATE INDEX `pipeline_assignment_slots_state_idx` ON `pipeline_assignment_slots` (`state`,`created_at`);
--> statement-breakpoint
CREATE TABLE `approvals` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`run_id` text NOT NULL,
	`step_key` text NOT NULL,
	`attempt` integer NOT NULL,
	`attempt_token` text NOT NULL,
	`token_hash` text,
	`status` text NOT NULL,
	`context` text NOT NULL,
	`expires_at` integer NOT NULL,
	`decided_at` integer,
	`decided_by` text,
	`comment` text,
	`reported_at` integer,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `approvals_token_uq` ON `approvals` (`token_hash`);--> statement-breakpoint
CREATE UNIQUE INDEX `approvals_step_uq` ON `approvals` (`run_id`,`step_key`,`attempt`);--> statement-breakpoint
CREATE INDEX `approvals_org_idx` ON `approvals` (`org_id`,`id`);--> statement-breakpoint
CREATE INDEX `approvals_expiry_idx` ON `approvals` (`status`,`expires_at`);--> statement-breakpoint
CREATE INDEX `approvals_unreported_idx` ON `approvals` (`reported_at`,`decided_at`);
