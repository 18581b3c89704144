-- Foreign keys on every link between tables (drizzle-kit's table rebuilds, hand-ordered for D1).
-- D1 keeps foreign keys on during migrations (PRAGMA foreign_keys is ignored), and DROP TABLE
-- deletes the table's rows first, firing ON DELETE actions in tables that reference it. So every
-- table is rebuilt before any table that references it: when an old table is dropped, nothing
-- references it yet. Rows whose parent is already gone (left by the hand-written cascades this
-- replaces) are dropped, or their optional link cleared, so every constraint holds at commit.
PRAGMA defer_foreign_keys = on;--> statement-breakpoint
CREATE TABLE `__new_agent_templates` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`name` text NOT NULL,
	`slug` text NOT NULL,
	`description` text,
	`category` text,
	`featured` integer DEFAULT false NOT NULL,
	`sort_order` integer DEFAULT 0 NOT NULL,
	`emoji` text,
	`color` text,
	`role_id` text,
	`model` text,
	`tools` text NOT NULL,
	`tags` text NOT NULL,
	`config` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`archived_at` integer,
	FOREIGN KEY (`role_id`) REFERENCES `agent_roles`(`id`) ON UPDATE no action ON DELETE set null
);--> statement-breakpoint
INSERT INTO `__new_agent_templates`("id", "org_id", "name", "slug", "description", "category", "featured", "sort_order", "emoji", "color", "role_id", "model", "tools", "tags", "config", "created_by", "created_at", "updated_at", "archived_at") SELECT "id", "org_id", "name", "slug", "description", "category", "featured", "sort_order", "emoji", "color", CASE WHEN "role_id" IN (SELECT "id" FROM `agent_roles`) THEN "role_id" END, "model", "tools", "tags", "config", "created_by", "created_at", "updated_at", "archived_at" FROM `agent_templates`;--> statement-breakpoint
DROP TABLE `agent_templates`;--> statement-breakpoint
ALTER TABLE `__new_agent_templates` RENAME TO `agent_templates`;--> statement-breakpoint
CREATE INDEX `agent_templates_org_idx` ON `agent_templates` (`org_id`,`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `agent_templates_org_slug_uq` ON `agent_templates` (`org_id`,`slug`) WHERE archived_at IS NULL;--> statement-breakpoint
CREATE TABLE `__new_agents` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`name` text NOT NULL,
	`display_name` text NOT NULL,
	`description` text,
	`role_id` text,
	`model` text,
	`tags` text NOT NULL,
	`config` text NOT NULL,
	`emoji` text,
	`color` text,
	`status` text NOT NULL,
	`status_version` integer DEFAULT 0 NOT NULL,
	`status_changed_at` integer NOT NULL,
	`current_task` text,
	`last_heartbeat_at` integer,
	`template_id` text,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`role_id`) REFERENCES `agent_roles`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`template_id`) REFERENCES `agent_templates`(`id`) ON UPDATE no action ON DELETE set null
);--> statement-breakpoint
INSERT INTO `__new_agents`("id", "org_id", "name", "display_name", "description", "role_id", "model", "tags", "config", "emoji", "color", "status", "status_version", "status_changed_at", "current_task", "last_heartbeat_at", "template_id", "created_by", "created_at", "updated_at") SELECT "id", "org_id", "name", "display_name", "description", CASE WHEN "role_id" IN (SELECT "id" FROM `agent_roles`) THEN "role_id" END, "model", "tags", "config", "emoji", "color", "status", "status_version", "status_changed_at", "current_task", "last_heartbeat_at", CASE WHEN "template_id" IN (SELECT "id" FROM `agent_templates`) THEN "template_id" END, "created_by", "created_at", "updated_at" FROM `agents`;--> statement-breakpoint
DROP TABLE `agents`;--> statement-breakpoint
ALTER TABLE `__new_agents` RENAME TO `agents`;--> statement-breakpoint
CREATE UNIQUE INDEX `agents_org_name_uq` ON `agents` (`org_id`,`name`);--> statement-breakpoint
CREATE INDEX `agents_org_idx` ON `agents` (`org_id`,`id`);--> statement-breakpoint
CREATE INDEX `agents_org_status_idx` ON `agents` (`org_id`,`status`,`id`);--> statement-breakpoint
CREATE INDEX `agents_liveness_idx` ON `agents` (`status`,`last_heartbeat_at`);--> statement-breakpoint
CREATE TABLE `__new_skills` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`name` text NOT NULL,
	`description` text,
	`instructions` text NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`metadata` text NOT NULL,
	`credentials_item_id` text,
	`credentials_updated_at` integer,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`credentials_item_id`) REFERENCES `vault_items`(`id`) ON UPDATE no action ON DELETE set null
);--> statement-breakpoint
INSERT INTO `__new_skills`("id", "org_id", "name", "description", "instructions", "enabled", "metadata", "credentials_item_id", "credentials_updated_at", "created_by", "created_at", "updated_at") SELECT "id", "org_id", "name", "description", "instructions", "enabled", "metadata", CASE WHEN "credentials_item_id" IN (SELECT "id" FROM `vault_items`) THEN "credentials_item_id" END, "credentials_updated_at", "created_by", "created_at", "updated_at" FROM `skills`;--> statement-breakpoint
DROP TABLE `skills`;--> statement-breakpoint
ALTER TABLE `__new_skills` RENAME TO `skills`;--> statement-breakpoint
CREATE UNIQUE INDEX `skills_org_name_uq` ON `skills` (`org_id`,`name`);--> statement-breakpoint
CREATE INDEX `skills_org_idx` ON `skills` (`org_id`,`id`);--> statement-breakpoint
CREATE TABLE `__new_mcp_servers` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`name` text NOT NULL,
	`description` text,
	`transport` text NOT NULL,
	`url` text NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`headers_item_id` text,
	`header_names` text NOT NULL,
	`status` text NOT NULL,
	`status_detail` text,
	`last_connected_at` integer,
	`tools` text NOT NULL,
	`tools_updated_at` integer,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`headers_item_id`) REFERENCES `vault_items`(`id`) ON UPDATE no action ON DELETE set null
);--> statement-breakpoint
INSERT INTO `__new_mcp_servers`("id", "org_id", "name", "description", "transport", "url", "enabled", "headers_item_id", "header_names", "status", "status_detail", "last_connected_at", "tools", "tools_updated_at", "created_by", "created_at", "updated_at") SELECT "id", "org_id", "name", "description", "transport", "url", "enabled", CASE WHEN "headers_item_id" IN (SELECT "id" FROM `vault_items`) THEN "headers_item_id" END, "header_names", "status", "status_detail", "last_connected_at", "tools", "tools_updated_at", "created_by", "created_at", "updated_at" FROM `mcp_servers`;--> statement-breakpoint
DROP TABLE `mcp_servers`;--> statement-breakpoint
ALTER TABLE `__new_mcp_servers` RENAME TO `mcp_servers`;--> statement-breakpoint
CREATE UNIQUE INDEX `mcp_servers_org_name_uq` ON `mcp_servers` (`org_id`,`name`);--> statement-breakpoint
CREATE INDEX `mcp_servers_org_idx` ON `mcp_servers` (`org_id`,`id`);--> statement-breakpoint
CREATE TABLE `__new_vault_item_versions` (
	`item_id` text NOT NULL,
	`version` integer NOT NULL,
	`ciphertext` text NOT NULL,
	`iv` text NOT NULL,
	`data_key_version` integer NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer,
	PRIMARY KEY(`item_id`, `version`),
	FOREIGN KEY (`item_id`) REFERENCES `vault_items`(`id`) ON UPDATE no action ON DELETE cascade
);--> statement-breakpoint
INSERT INTO `__new_vault_item_versions`("item_id", "version", "ciphertext", "iv", "data_key_version", "created_at", "expires_at") SELECT "item_id", "version", "ciphertext", "iv", "data_key_version", "created_at", "expires_at" FROM `vault_item_versions` WHERE "item_id" IN (SELECT "id" FROM `vault_items`);--> statement-breakpoint
DROP TABLE `vault_item_versions`;--> statement-breakpoint
ALTER TABLE `__new_vault_item_versions` RENAME TO `vault_item_versions`;--> statement-breakpoint
CREATE TABLE `__new_api_key_secrets` (
	`hash` text PRIMARY KEY NOT NULL,
	`key_id` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer,
	FOREIGN KEY (`key_id`) REFERENCES `api_keys`(`id`) ON UPDATE no action ON DELETE cascade
);--> statement-breakpoint
INSERT INTO `__new_api_key_secrets`("hash", "key_id", "created_at", "expires_at") SELECT "hash", "key_id", "created_at", "expires_at" FROM `api_key_secrets` WHERE "key_id" IN (SELECT "id" FROM `api_keys`);--> statement-breakpoint
DROP TABLE `api_key_secrets`;--> statement-breakpoint
ALTER TABLE `__new_api_key_secrets` RENAME TO `api_key_secrets`;--> statement-breakpoint
CREATE INDEX `api_key_secrets_key_idx` ON `api_key_secrets` (`key_id`);--> statement-breakpoint
CREATE TABLE `__new_api_key_usage` (
	`id` text PRIMARY KEY NOT NULL,
	`key_id` text NOT NULL,
	`org_id` text NOT NULL,
	`method` text NOT NULL,
	`path` text NOT NULL,
	`status` integer NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`key_id`) REFERENCES `api_keys`(`id`) ON UPDATE no action ON DELETE cascade
);--> statement-breakpoint
INSERT INTO `__new_api_key_usage`("id", "key_id", "org_id", "method", "path", "status", "created_at") SELECT "id", "key_id", "org_id", "method", "path", "status", "created_at" FROM `api_key_usage` WHERE "key_id" IN (SELECT "id" FROM `api_keys`);--> statement-breakpoint
DROP TABLE `api_key_usage`;--> statement-breakpoint
ALTER TABLE `__new_api_key_usage` RENAME TO `api_key_usage`;--> statement-breakpoint
CREATE INDEX `api_key_usage_key_idx` ON `api_key_usage` (`key_id`,`id`);--> statement-breakpoint
CREATE TABLE `__new_totp_backup_codes` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`code_hash` text NOT NULL,
	`used_at` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);--> statement-breakpoint
INSERT INTO `__new_totp_backup_codes`("id", "user_id", "code_hash", "used_at", "created_at") SELECT "id", "user_id", "code_hash", "used_at", "created_at" FROM `totp_backup_codes` WHERE "user_id" IN (SELECT "id" FROM `users`);--> statement-breakpoint
DROP TABLE `totp_backup_codes`;--> statement-breakpoint
ALTER TABLE `__new_totp_backup_codes` RENAME TO `totp_backup_codes`;--> statement-breakpoint
CREATE INDEX `totp_backup_codes_user_idx` ON `totp_backup_codes` (`user_id`);--> statement-breakpoint
CREATE TABLE `__new_sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`ip` text,
	`user_agent` text,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`revoked_at` integer,
	`revoked_reason` text,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);--> statement-breakpoint
INSERT INTO `__new_sessions`("id", "user_id", "ip", "user_agent", "created_at", "expires_at", "revoked_at", "revoked_reason") SELECT "id", "user_id", "ip", "user_agent", "created_at", "expires_at", "revoked_at", "revoked_reason" FROM `sessions` WHERE "user_id" IN (SELECT "id" FROM `users`);--> statement-breakpoint
DROP TABLE `sessions`;--> statement-breakpoint
ALTER TABLE `__new_sessions` RENAME TO `sessions`;--> statement-breakpoint
CREATE INDEX `sessions_user_idx` ON `sessions` (`user_id`);--> statement-breakpoint
CREATE TABLE `__new_refresh_tokens` (
	`id` text PRIMARY KEY NOT NULL,
	`session_id` text NOT NULL,
	`token_hash` text NOT NULL,
	`created_at` integer NOT NULL,
	`used_at` integer,
	FOREIGN KEY (`session_id`) REFERENCES `sessions`(`id`) ON UPDATE no action ON DELETE cascade
);--> statement-breakpoint
INSERT INTO `__new_refresh_tokens`("id", "session_id", "token_hash", "created_at", "used_at") SELECT "id", "session_id", "token_hash", "created_at", "used_at" FROM `refresh_tokens` WHERE "session_id" IN (SELECT "id" FROM `sessions`);--> statement-breakpoint
DROP TABLE `refresh_tokens`;--> statement-breakpoint
ALTER TABLE `__new_refresh_tokens` RENAME TO `refresh_tokens`;--> statement-breakpoint
CREATE UNIQUE INDEX `refresh_tokens_hash_uq` ON `refresh_tokens` (`token_hash`);--> statement-breakpoint
CREATE INDEX `refresh_tokens_session_idx` ON `refresh_tokens` (`session_id`);--> statement-breakpoint
CREATE TABLE `__new_password_resets` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`token_hash` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);--> statement-breakpoint
INSERT INTO `__new_password_resets`("id", "user_id", "token_hash", "created_at", "expires_at", "used_at") SELECT "id", "user_id", "token_hash", "created_at", "expires_at", "used_at" FROM `password_resets` WHERE "user_id" IN (SELECT "id" FROM `users`);--> statement-breakpoint
DROP TABLE `password_resets`;--> statement-breakpoint
ALTER TABLE `__new_password_resets` RENAME TO `password_resets`;--> statement-breakpoint
CREATE UNIQUE INDEX `password_resets_hash_uq` ON `password_resets` (`token_hash`);--> statement-breakpoint
CREATE TABLE `__new_documents` (
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
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade
);--> statement-breakpoint
INSERT INTO `__new_documents`("id", "org_id", "project_id", "name", "content_type", "size", "sha256", "object_key", "created_by", "created_at", "updated_at") SELECT "id", "org_id", "project_id", "name", "content_type", "size", "sha256", "object_key", "created_by", "created_at", "updated_at" FROM `documents` WHERE "project_id" IN (SELECT "id" FROM `projects`);--> statement-breakpoint
DROP TABLE `documents`;--> statement-breakpoint
ALTER TABLE `__new_documents` RENAME TO `documents`;--> statement-breakpoint
CREATE INDEX `documents_project_idx` ON `documents` (`org_id`,`project_id`,`id`);--> statement-breakpoint
CREATE TABLE `__new_tickets` (
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
	`completed_at` integer,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`parent_id`) REFERENCES `__new_tickets`(`id`) ON UPDATE no action ON DELETE cascade
);--> statement-breakpoint
INSERT INTO `__new_tickets`("rowid", "id", "org_id", "project_id", "parent_id", "title", "description", "type", "status", "priority", "assignee_type", "assignee_id", "labels", "estimate", "due_date", "resolution", "position", "created_by", "created_at", "updated_at", "started_at", "completed_at") SELECT "rowid", "id", "org_id", "project_id", "parent_id", "title", "description", "type", "status", "priority", "assignee_type", "assignee_id", "labels", "estimate", "due_date", "resolution", "position", "created_by", "created_at", "updated_at", "started_at", "completed_at" FROM `tickets` WHERE "project_id" IN (SELECT "id" FROM `projects`) AND ("parent_id" IS NULL OR "parent_id" IN (SELECT "id" FROM `tickets` WHERE "project_id" IN (SELECT "id" FROM `projects`))) ORDER BY "parent_id" IS NOT NULL;--> statement-breakpoint
DROP TABLE `tickets`;--> statement-breakpoint
ALTER TABLE `__new_tickets` RENAME TO `tickets`;--> statement-breakpoint
CREATE INDEX `tickets_org_idx` ON `tickets` (`org_id`,`id`);--> statement-breakpoint
CREATE INDEX `tickets_project_status_idx` ON `tickets` (`project_id`,`status`,`position`);--> statement-breakpoint
CREATE INDEX `tickets_assignee_idx` ON `tickets` (`org_id`,`assignee_type`,`assignee_id`,`status`);--> statement-breakpoint
CREATE INDEX `tickets_parent_idx` ON `tickets` (`parent_id`);--> statement-breakpoint
-- Dropping the old table dropped its full-text triggers; the renamed one gets them back.
CREATE TRIGGER `tickets_fts_insert` AFTER INSERT ON `tickets` BEGIN
	INSERT INTO `tickets_fts` (`rowid`, `ticket_id`, `title`, `description`) VALUES (new.rowid, new.id, new.title, new.description);
END;--> statement-breakpoint
CREATE TRIGGER `tickets_fts_update` AFTER UPDATE OF `title`, `description` ON `tickets` BEGIN
	DELETE FROM `tickets_fts` WHERE `rowid` = old.rowid;
	INSERT INTO `tickets_fts` (`rowid`, `ticket_id`, `title`, `description`) VALUES (new.rowid, new.id, new.title, new.description);
END;--> statement-breakpoint
CREATE TRIGGER `tickets_fts_delete` AFTER DELETE ON `tickets` BEGIN
	DELETE FROM `tickets_fts` WHERE `rowid` = old.rowid;
END;--> statement-breakpoint
DELETE FROM `tickets_fts` WHERE `rowid` NOT IN (SELECT `rowid` FROM `tickets`);--> statement-breakpoint
CREATE TABLE `__new_ticket_dependencies` (
	`ticket_id` text NOT NULL,
	`depends_on_id` text NOT NULL,
	`org_id` text NOT NULL,
	`project_id` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`ticket_id`, `depends_on_id`),
	FOREIGN KEY (`ticket_id`) REFERENCES `tickets`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`depends_on_id`) REFERENCES `tickets`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade
);--> statement-breakpoint
INSERT INTO `__new_ticket_dependencies`("ticket_id", "depends_on_id", "org_id", "project_id", "created_by", "created_at") SELECT "ticket_id", "depends_on_id", "org_id", "project_id", "created_by", "created_at" FROM `ticket_dependencies` WHERE "ticket_id" IN (SELECT "id" FROM `tickets`) AND "depends_on_id" IN (SELECT "id" FROM `tickets`) AND "project_id" IN (SELECT "id" FROM `projects`);--> statement-breakpoint
DROP TABLE `ticket_dependencies`;--> statement-breakpoint
ALTER TABLE `__new_ticket_dependencies` RENAME TO `ticket_dependencies`;--> statement-breakpoint
CREATE INDEX `ticket_dependencies_depends_on_idx` ON `ticket_dependencies` (`depends_on_id`);--> statement-breakpoint
CREATE INDEX `ticket_dependencies_project_idx` ON `ticket_dependencies` (`project_id`);--> statement-breakpoint
CREATE TABLE `__new_ticket_comments` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`ticket_id` text NOT NULL,
	`author_type` text NOT NULL,
	`author_id` text NOT NULL,
	`body` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`ticket_id`) REFERENCES `tickets`(`id`) ON UPDATE no action ON DELETE cascade
);--> statement-breakpoint
INSERT INTO `__new_ticket_comments`("id", "org_id", "ticket_id", "author_type", "author_id", "body", "created_at", "updated_at") SELECT "id", "org_id", "ticket_id", "author_type", "author_id", "body", "created_at", "updated_at" FROM `ticket_comments` WHERE "ticket_id" IN (SELECT "id" FROM `tickets`);--> statement-breakpoint
DROP TABLE `ticket_comments`;--> statement-breakpoint
ALTER TABLE `__new_ticket_comments` RENAME TO `ticket_comments`;--> statement-breakpoint
CREATE INDEX `ticket_comments_ticket_idx` ON `ticket_comments` (`ticket_id`,`id`);--> statement-breakpoint
CREATE TABLE `__new_agent_tags` (
	`agent_id` text NOT NULL,
	`org_id` text NOT NULL,
	`tag` text NOT NULL,
	PRIMARY KEY(`agent_id`, `tag`),
	FOREIGN KEY (`agent_id`) REFERENCES `agents`(`id`) ON UPDATE no action ON DELETE cascade
);--> statement-breakpoint
INSERT INTO `__new_agent_tags`("agent_id", "org_id", "tag") SELECT "agent_id", "org_id", "tag" FROM `agent_tags` WHERE "agent_id" IN (SELECT "id" FROM `agents`);--> statement-breakpoint
DROP TABLE `agent_tags`;--> statement-breakpoint
ALTER TABLE `__new_agent_tags` RENAME TO `agent_tags`;--> statement-breakpoint
CREATE INDEX `agent_tags_org_tag_idx` ON `agent_tags` (`org_id`,`tag`);--> statement-breakpoint
CREATE TABLE `__new_agent_rules` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`agent_id` text,
	`category` text NOT NULL,
	`rule` text NOT NULL,
	`permanent` integer DEFAULT false NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`agent_id`) REFERENCES `agents`(`id`) ON UPDATE no action ON DELETE cascade
);--> statement-breakpoint
INSERT INTO `__new_agent_rules`("id", "org_id", "agent_id", "category", "rule", "permanent", "created_by", "created_at", "updated_at") SELECT "id", "org_id", "agent_id", "category", "rule", "permanent", "created_by", "created_at", "updated_at" FROM `agent_rules` WHERE ("agent_id" IS NULL OR "agent_id" IN (SELECT "id" FROM `agents`));--> statement-breakpoint
DROP TABLE `agent_rules`;--> statement-breakpoint
ALTER TABLE `__new_agent_rules` RENAME TO `agent_rules`;--> statement-breakpoint
CREATE INDEX `agent_rules_org_idx` ON `agent_rules` (`org_id`,`id`);--> statement-breakpoint
CREATE INDEX `agent_rules_agent_idx` ON `agent_rules` (`org_id`,`agent_id`);--> statement-breakpoint
CREATE TABLE `__new_role_assignments` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`role_id` text NOT NULL,
	`agent_id` text NOT NULL,
	`project_id` text,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`role_id`) REFERENCES `agent_roles`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`agent_id`) REFERENCES `agents`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade
);--> statement-breakpoint
INSERT INTO `__new_role_assignments`("id", "org_id", "role_id", "agent_id", "project_id", "created_by", "created_at") SELECT "id", "org_id", "role_id", "agent_id", "project_id", "created_by", "created_at" FROM `role_assignments` WHERE "role_id" IN (SELECT "id" FROM `agent_roles`) AND "agent_id" IN (SELECT "id" FROM `agents`) AND ("project_id" IS NULL OR "project_id" IN (SELECT "id" FROM `projects`));--> statement-breakpoint
DROP TABLE `role_assignments`;--> statement-breakpoint
ALTER TABLE `__new_role_assignments` RENAME TO `role_assignments`;--> statement-breakpoint
CREATE UNIQUE INDEX `role_assignments_project_uq` ON `role_assignments` (`role_id`,`agent_id`,`project_id`) WHERE project_id IS NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `role_assignments_global_uq` ON `role_assignments` (`role_id`,`agent_id`) WHERE project_id IS NULL;--> statement-breakpoint
CREATE INDEX `role_assignments_org_idx` ON `role_assignments` (`org_id`,`id`);--> statement-breakpoint
CREATE INDEX `role_assignments_agent_idx` ON `role_assignments` (`org_id`,`agent_id`);--> statement-breakpoint
CREATE INDEX `role_assignments_project_idx` ON `role_assignments` (`org_id`,`project_id`);--> statement-breakpoint
CREATE INDEX `role_assignments_creator_idx` ON `role_assignments` (`org_id`,`created_by`,`id`);--> statement-breakpoint
CREATE TABLE `__new_role_skills` (
	`role_id` text NOT NULL,
	`skill_id` text NOT NULL,
	`org_id` text NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`role_id`, `skill_id`),
	FOREIGN KEY (`role_id`) REFERENCES `agent_roles`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`skill_id`) REFERENCES `skills`(`id`) ON UPDATE no action ON DELETE cascade
);--> statement-breakpoint
INSERT INTO `__new_role_skills`("role_id", "skill_id", "org_id", "enabled", "created_at", "updated_at") SELECT "role_id", "skill_id", "org_id", "enabled", "created_at", "updated_at" FROM `role_skills` WHERE "role_id" IN (SELECT "id" FROM `agent_roles`) AND "skill_id" IN (SELECT "id" FROM `skills`);--> statement-breakpoint
DROP TABLE `role_skills`;--> statement-breakpoint
ALTER TABLE `__new_role_skills` RENAME TO `role_skills`;--> statement-breakpoint
CREATE INDEX `role_skills_target_idx` ON `role_skills` (`skill_id`);--> statement-breakpoint
CREATE TABLE `__new_role_modes` (
	`role_id` text NOT NULL,
	`mode_id` text NOT NULL,
	`org_id` text NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`role_id`, `mode_id`),
	FOREIGN KEY (`role_id`) REFERENCES `agent_roles`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`mode_id`) REFERENCES `modes`(`id`) ON UPDATE no action ON DELETE cascade
);--> statement-breakpoint
INSERT INTO `__new_role_modes`("role_id", "mode_id", "org_id", "enabled", "created_at", "updated_at") SELECT "role_id", "mode_id", "org_id", "enabled", "created_at", "updated_at" FROM `role_modes` WHERE "role_id" IN (SELECT "id" FROM `agent_roles`) AND "mode_id" IN (SELECT "id" FROM `modes`);--> statement-breakpoint
DROP TABLE `role_modes`;--> statement-breakpoint
ALTER TABLE `__new_role_modes` RENAME TO `role_modes`;--> statement-breakpoint
CREATE INDEX `role_modes_target_idx` ON `role_modes` (`mode_id`);--> statement-breakpoint
CREATE TABLE `__new_role_mcp_servers` (
	`role_id` text NOT NULL,
	`mcp_server_id` text NOT NULL,
	`org_id` text NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`role_id`, `mcp_server_id`),
	FOREIGN KEY (`role_id`) REFERENCES `agent_roles`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`mcp_server_id`) REFERENCES `mcp_servers`(`id`) ON UPDATE no action ON DELETE cascade
);--> statement-breakpoint
INSERT INTO `__new_role_mcp_servers`("role_id", "mcp_server_id", "org_id", "enabled", "created_at", "updated_at") SELECT "role_id", "mcp_server_id", "org_id", "enabled", "created_at", "updated_at" FROM `role_mcp_servers` WHERE "role_id" IN (SELECT "id" FROM `agent_roles`) AND "mcp_server_id" IN (SELECT "id" FROM `mcp_servers`);--> statement-breakpoint
DROP TABLE `role_mcp_servers`;--> statement-breakpoint
ALTER TABLE `__new_role_mcp_servers` RENAME TO `role_mcp_servers`;--> statement-breakpoint
CREATE INDEX `role_mcp_servers_target_idx` ON `role_mcp_servers` (`mcp_server_id`);--> statement-breakpoint
CREATE TABLE `__new_mode_sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`mode_id` text NOT NULL,
	`project_id` text NOT NULL,
	`role_id` text NOT NULL,
	`status` text NOT NULL,
	`draft` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`ended_at` integer,
	FOREIGN KEY (`mode_id`) REFERENCES `modes`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`role_id`) REFERENCES `agent_roles`(`id`) ON UPDATE no action ON DELETE cascade
);--> statement-breakpoint
INSERT INTO `__new_mode_sessions`("id", "org_id", "mode_id", "project_id", "role_id", "status", "draft", "created_by", "created_at", "updated_at", "ended_at") SELECT "id", "org_id", "mode_id", "project_id", "role_id", "status", "draft", "created_by", "created_at", "updated_at", "ended_at" FROM `mode_sessions` WHERE "mode_id" IN (SELECT "id" FROM `modes`) AND "project_id" IN (SELECT "id" FROM `projects`) AND "role_id" IN (SELECT "id" FROM `agent_roles`);--> statement-breakpoint
DROP TABLE `mode_sessions`;--> statement-breakpoint
ALTER TABLE `__new_mode_sessions` RENAME TO `mode_sessions`;--> statement-breakpoint
CREATE UNIQUE INDEX `mode_sessions_active_uq` ON `mode_sessions` (`org_id`,`project_id`,`role_id`) WHERE status = 'active';--> statement-breakpoint
CREATE INDEX `mode_sessions_org_idx` ON `mode_sessions` (`org_id`,`id`);--> statement-breakpoint
CREATE TABLE `__new_mode_artifacts` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`session_id` text NOT NULL,
	`mode_id` text NOT NULL,
	`project_id` text NOT NULL,
	`role_id` text NOT NULL,
	`title` text NOT NULL,
	`content` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`session_id`) REFERENCES `mode_sessions`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`mode_id`) REFERENCES `modes`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`role_id`) REFERENCES `agent_roles`(`id`) ON UPDATE no action ON DELETE cascade
);--> statement-breakpoint
INSERT INTO `__new_mode_artifacts`("id", "org_id", "session_id", "mode_id", "project_id", "role_id", "title", "content", "created_by", "created_at") SELECT "id", "org_id", "session_id", "mode_id", "project_id", "role_id", "title", "content", "created_by", "created_at" FROM `mode_artifacts` WHERE "session_id" IN (SELECT "id" FROM `mode_sessions`) AND "mode_id" IN (SELECT "id" FROM `modes`) AND "project_id" IN (SELECT "id" FROM `projects`) AND "role_id" IN (SELECT "id" FROM `agent_roles`);--> statement-breakpoint
DROP TABLE `mode_artifacts`;--> statement-breakpoint
ALTER TABLE `__new_mode_artifacts` RENAME TO `mode_artifacts`;--> statement-breakpoint
CREATE INDEX `mode_artifacts_project_idx` ON `mode_artifacts` (`org_id`,`project_id`,`id`);--> statement-breakpoint
PRAGMA defer_foreign_keys = off;
