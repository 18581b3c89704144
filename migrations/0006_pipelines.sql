-- Pipelines (a pointer to the current immutable version), their versions (the graph as JSON),
-- the organization's own pipeline templates, and councils with their member agents.
CREATE TABLE `pipelines` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`project_id` text,
	`name` text NOT NULL,
	`description` text,
	`concurrency` text NOT NULL,
	`current_version_id` text NOT NULL,
	`current_version` integer NOT NULL,
	`is_default` integer DEFAULT false NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `pipelines_org_idx` ON `pipelines` (`org_id`,`id`);--> statement-breakpoint
CREATE INDEX `pipelines_project_idx` ON `pipelines` (`org_id`,`project_id`,`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `pipelines_project_default_uq` ON `pipelines` (`org_id`,`project_id`) WHERE is_default = 1 AND project_id IS NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `pipelines_org_default_uq` ON `pipelines` (`org_id`) WHERE is_default = 1 AND project_id IS NULL;--> statement-breakpoint
CREATE TABLE `pipeline_versions` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`pipeline_id` text NOT NULL,
	`version` integer NOT NULL,
	`snapshot` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`pipeline_id`) REFERENCES `pipelines`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `pipeline_versions_pipeline_version_uq` ON `pipeline_versions` (`pipeline_id`,`version`);--> statement-breakpoint
CREATE INDEX `pipeline_versions_org_idx` ON `pipeline_versions` (`org_id`,`id`);--> statement-breakpoint
CREATE TABLE `pipeline_templates` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`name` text NOT NULL,
	`description` text,
	`concurrency` text NOT NULL,
	`snapshot` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `pipeline_templates_org_idx` ON `pipeline_templates` (`org_id`,`id`);--> statement-breakpoint
CREATE TABLE `councils` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`name` text NOT NULL,
	`description` text,
	`leader_agent_id` text,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`leader_agent_id`) REFERENCES `agents`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `councils_org_idx` ON `councils` (`org_id`,`id`);--> statement-breakpoint
CREATE TABLE `council_members` (
	`council_id` text NOT NULL,
	`agent_id` text NOT NULL,
	`org_id` text NOT NULL,
	`position` integer NOT NULL,
	PRIMARY KEY(`council_id`, `agent_id`),
	FOREIGN KEY (`council_id`) REFERENCES `councils`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`agent_id`) REFERENCES `agents`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `council_members_agent_idx` ON `council_members` (`agent_id`);
