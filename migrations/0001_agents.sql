CREATE TABLE `agent_tags` (
	`agent_id` text NOT NULL,
	`org_id` text NOT NULL,
	`tag` text NOT NULL,
	PRIMARY KEY(`agent_id`, `tag`)
);
--> statement-breakpoint
CREATE INDEX `agent_tags_org_tag_idx` ON `agent_tags` (`org_id`,`tag`);--> statement-breakpoint
CREATE TABLE `agent_templates` (
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
	`archived_at` integer
);
--> statement-breakpoint
CREATE INDEX `agent_templates_org_idx` ON `agent_templates` (`org_id`,`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `agent_templates_org_slug_uq` ON `agent_templates` (`org_id`,`slug`) WHERE archived_at IS NULL;--> statement-breakpoint
CREATE TABLE `agents` (
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
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `agents_org_name_uq` ON `agents` (`org_id`,`name`);--> statement-breakpoint
CREATE INDEX `agents_org_idx` ON `agents` (`org_id`,`id`);--> statement-breakpoint
CREATE INDEX `agents_org_status_idx` ON `agents` (`org_id`,`status`,`id`);--> statement-breakpoint
CREATE INDEX `agents_liveness_idx` ON `agents` (`status`,`last_heartbeat_at`);--> statement-breakpoint
CREATE TABLE `agent_roles` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`slug` text NOT NULL,
	`name` text NOT NULL,
	`description` text,
	`system` integer DEFAULT false NOT NULL,
	`prompt_template` text NOT NULL,
	`platform_scopes` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `agent_roles_org_slug_uq` ON `agent_roles` (`org_id`,`slug`);--> statement-breakpoint
CREATE INDEX `agent_roles_org_idx` ON `agent_roles` (`org_id`,`id`);--> statement-breakpoint
CREATE TABLE `agent_rules` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`agent_id` text,
	`category` text NOT NULL,
	`rule` text NOT NULL,
	`permanent` integer DEFAULT false NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `agent_rules_org_idx` ON `agent_rules` (`org_id`,`id`);--> statement-breakpoint
CREATE INDEX `agent_rules_agent_idx` ON `agent_rules` (`org_id`,`agent_id`);--> statement-breakpoint
CREATE TABLE `mode_artifacts` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`session_id` text NOT NULL,
	`mode_id` text NOT NULL,
	`project_id` text NOT NULL,
	`role_id` text NOT NULL,
	`title` text NOT NULL,
	`content` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `mode_artifacts_project_idx` ON `mode_artifacts` (`org_id`,`project_id`,`id`);--> statement-breakpoint
CREATE TABLE `mode_sessions` (
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
	`ended_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `mode_sessions_active_uq` ON `mode_sessions` (`org_id`,`project_id`,`role_id`) WHERE status = 'active';--> statement-breakpoint
CREATE INDEX `mode_sessions_org_idx` ON `mode_sessions` (`org_id`,`id`);--> statement-breakpoint
CREATE TABLE `modes` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`slug` text NOT NULL,
	`name` text NOT NULL,
	`description` text,
	`instructions` text NOT NULL,
	`system` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `modes_org_slug_uq` ON `modes` (`org_id`,`slug`);--> statement-breakpoint
CREATE INDEX `modes_org_idx` ON `modes` (`org_id`,`id`);--> statement-breakpoint
CREATE TABLE `role_assignments` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`role_id` text NOT NULL,
	`agent_id` text NOT NULL,
	`project_id` text,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `role_assignments_project_uq` ON `role_assignments` (`role_id`,`agent_id`,`project_id`) WHERE project_id IS NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `role_assignments_global_uq` ON `role_assignments` (`role_id`,`agent_id`) WHERE project_id IS NULL;--> statement-breakpoint
CREATE INDEX `role_assignments_org_idx` ON `role_assignments` (`org_id`,`id`);--> statement-breakpoint
CREATE INDEX `role_assignments_agent_idx` ON `role_assignments` (`org_id`,`agent_id`);--> statement-breakpoint
CREATE INDEX `role_assignments_project_idx` ON `role_assignments` (`org_id`,`project_id`);--> statement-breakpoint
CREATE INDEX `role_assignments_creator_idx` ON `role_assignments` (`org_id`,`created_by`,`id`);--> statement-breakpoint
CREATE TABLE `role_mcp_servers` (
	`role_id` text NOT NULL,
	`mcp_server_id` text NOT NULL,
	`org_id` text NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`role_id`, `mcp_server_id`)
);
--> statement-breakpoint
CREATE INDEX `role_mcp_servers_target_idx` ON `role_mcp_servers` (`mcp_server_id`);--> statement-breakpoint
CREATE TABLE `role_modes` (
	`role_id` text NOT NULL,
	`mode_id` text NOT NULL,
	`org_id` text NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`role_id`, `mode_id`)
);
--> statement-breakpoint
CREATE INDEX `role_modes_target_idx` ON `role_modes` (`mode_id`);--> statement-breakpoint
CREATE TABLE `role_skills` (
	`role_id` text NOT NULL,
	`skill_id` text NOT NULL,
	`org_id` text NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`role_id`, `skill_id`)
);
--> statement-breakpoint
CREATE INDEX `role_skills_target_idx` ON `role_skills` (`skill_id`);--> statement-breakpoint
CREATE TABLE `skills` (
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
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `skills_org_name_uq` ON `skills` (`org_id`,`name`);--> statement-breakpoint
CREATE INDEX `skills_org_idx` ON `skills` (`org_id`,`id`);--> statement-breakpoint
CREATE TABLE `mcp_servers` (
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
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `mcp_servers_org_name_uq` ON `mcp_servers` (`org_id`,`name`);--> statement-breakpoint
CREATE INDEX `mcp_servers_org_idx` ON `mcp_servers` (`org_id`,`id`);
