CREATE TABLE `projects` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`name` text NOT NULL,
	`description` text,
	`system` integer DEFAULT false NOT NULL,
	`repo_url` text,
	`default_branch` text,
	`settings` text NOT NULL,
	`graph_rev` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `projects_org_idx` ON `projects` (`org_id`,`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `projects_org_system_uq` ON `projects` (`org_id`) WHERE system = 1;--> statement-breakpoint
CREATE TABLE `documents` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`project_id` text NOT NULL,
	`name` text NOT NULL,
	`content_type` text NOT NULL,
	`size` integer NOT NULL,
	`sha256` text NOT NULL,
	`object_key` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `documents_project_idx` ON `documents` (`org_id`,`project_id`,`id`);--> statement-breakpoint
CREATE TABLE `tickets` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`project_id` text NOT NULL,
	`parent_id` text,
	`title` text NOT NULL,
	`description` text NOT NULL,
	`type` text NOT NULL,
	`status` text NOT NULL,
	`priority` integer NOT NULL,
	`assignee_type` text,
	`assignee_id` text,
	`labels` text NOT NULL,
	`estimate` real,
	`due_date` text,
	`resolution` text,
	`position` real NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`started_at` integer,
	`completed_at` integer
);
--> statement-breakpoint
CREATE INDEX `tickets_org_idx` ON `tickets` (`org_id`,`id`);--> statement-breakpoint
CREATE INDEX `tickets_project_status_idx` ON `tickets` (`project_id`,`status`,`position`);--> statement-breakpoint
CREATE INDEX `tickets_assignee_idx` ON `tickets` (`org_id`,`assignee_type`,`assignee_id`,`status`);--> statement-breakpoint
CREATE INDEX `tickets_parent_idx` ON `tickets` (`parent_id`);--> statement-breakpoint
CREATE TABLE `ticket_dependencies` (
	`ticket_id` text NOT NULL,
	`depends_on_id` text NOT NULL,
	`org_id` text NOT NULL,
	`project_id` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`ticket_id`, `depends_on_id`)
);
--> statement-breakpoint
CREATE INDEX `ticket_dependencies_depends_on_idx` ON `ticket_dependencies` (`depends_on_id`);--> statement-breakpoint
CREATE INDEX `ticket_dependencies_project_idx` ON `ticket_dependencies` (`project_id`);--> statement-breakpoint
CREATE TABLE `ticket_comments` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`ticket_id` text NOT NULL,
	`author_type` text NOT NULL,
	`author_id` text NOT NULL,
	`body` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `ticket_comments_ticket_idx` ON `ticket_comments` (`ticket_id`,`id`);--> statement-breakpoint
CREATE TABLE `jobs` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`queue` text NOT NULL,
	`type` text NOT NULL,
	`payload` text NOT NULL,
	`priority` integer NOT NULL,
	`state` text NOT NULL,
	`attempts` integer NOT NULL,
	`max_attempts` integer NOT NULL,
	`timeout_ms` integer NOT NULL,
	`idempotency_key` text,
	`available_at` integer NOT NULL,
	`lease_id` text,
	`worker_id` text,
	`lease_expires_at` integer,
	`result` text,
	`last_error` text,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`completed_at` integer
);
--> statement-breakpoint
CREATE INDEX `jobs_claim_idx` ON `jobs` (`org_id`,`queue`,`state`,`priority`,`available_at`);--> statement-breakpoint
CREATE INDEX `jobs_org_state_idx` ON `jobs` (`org_id`,`state`,`id`);--> statement-breakpoint
CREATE INDEX `jobs_lease_expiry_idx` ON `jobs` (`state`,`lease_expires_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `jobs_org_idempotency_uq` ON `jobs` (`org_id`,`idempotency_key`) WHERE idempotency_key IS NOT NULL;--> statement-breakpoint
CREATE INDEX `jobs_lease_idx` ON `jobs` (`lease_id`);--> statement-breakpoint
CREATE TABLE `job_workers` (
	`org_id` text NOT NULL,
	`worker_id` text NOT NULL,
	`last_queue` text,
	`last_heartbeat_at` integer NOT NULL,
	`jobs_completed` integer DEFAULT 0 NOT NULL,
	`jobs_failed` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`org_id`, `worker_id`)
);
--> statement-breakpoint
-- Full-text search over ticket titles and descriptions, kept in step by triggers. Rows share the
-- ticket's rowid so the triggers find them without a scan; `rank` weighs a title match 10 times
-- a description match.
CREATE VIRTUAL TABLE `tickets_fts` USING fts5(`ticket_id` UNINDEXED, `title`, `description`, tokenize = 'porter unicode61');--> statement-breakpoint
INSERT INTO `tickets_fts` (`tickets_fts`, `rank`) VALUES ('rank', 'bm25(0.0, 10.0, 1.0)');--> statement-breakpoint
CREATE TRIGGER `tickets_fts_insert` AFTER INSERT ON `tickets` BEGIN
	INSERT INTO `tickets_fts` (`rowid`, `ticket_id`, `title`, `description`) VALUES (new.rowid, new.id, new.title, new.description);
END;--> statement-breakpoint
CREATE TRIGGER `tickets_fts_update` AFTER UPDATE OF `title`, `description` ON `tickets` BEGIN
	DELETE FROM `tickets_fts` WHERE `rowid` = old.rowid;
	INSERT INTO `tickets_fts` (`rowid`, `ticket_id`, `title`, `description`) VALUES (new.rowid, new.id, new.title, new.description);
END;--> statement-breakpoint
CREATE TRIGGER `tickets_fts_delete` AFTER DELETE ON `tickets` BEGIN
	DELETE FROM `tickets_fts` WHERE `rowid` = old.rowid;
END;
