CREATE TABLE `ai_calls` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`call_id` text NOT NULL,
	`attempt` integer NOT NULL,
	`provider_id` text,
	`provider_kind` text NOT NULL,
	`model_id` text NOT NULL,
	`model_name` text NOT NULL,
	`purpose` text NOT NULL,
	`agent_id` text,
	`user_id` text,
	`api_key_id` text,
	`run_id` text,
	`step_key` text,
	`chat_session_id` text,
	`status` text NOT NULL,
	`error_kind` text,
	`error_message` text,
	`http_status` integer,
	`finish_reason` text,
	`input_tokens` integer DEFAULT 0 NOT NULL,
	`output_tokens` integer DEFAULT 0 NOT NULL,
	`cost_usd` real,
	`latency_ms` integer NOT NULL,
	`ttft_ms` integer,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `ai_calls_org_created_idx` ON `ai_calls` (`org_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `ai_calls_org_model_idx` ON `ai_calls` (`org_id`,`model_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `model_budget_periods` (
	`budget_id` text NOT NULL,
	`period` text NOT NULL,
	`spent` integer DEFAULT 0 NOT NULL,
	`reserved` integer DEFAULT 0 NOT NULL,
	`threshold_notified_at` integer,
	PRIMARY KEY(`budget_id`, `period`),
	FOREIGN KEY (`budget_id`) REFERENCES `model_budgets`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `model_budgets` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`agent_id` text,
	`metric` text NOT NULL,
	`limit_amount` integer NOT NULL,
	`soft_threshold` real,
	`enabled` integer DEFAULT true NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `model_budgets_scope_uq` ON `model_budgets` (`org_id`,coalesce(`agent_id`, ''),`metric`);--> statement-breakpoint
CREATE INDEX `model_budgets_org_idx` ON `model_budgets` (`org_id`,`id`);--> statement-breakpoint
CREATE TABLE `model_providers` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`kind` text NOT NULL,
	`name` text NOT NULL,
	`base_url` text,
	`key_item_id` text,
	`enabled` integer DEFAULT true NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`key_item_id`) REFERENCES `vault_items`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `model_providers_org_name_uq` ON `model_providers` (`org_id`,`name`);--> statement-breakpoint
CREATE INDEX `model_providers_org_idx` ON `model_providers` (`org_id`,`id`);--> statement-breakpoint
CREATE TABLE `model_routing_rules` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`position` integer NOT NULL,
	`match` text NOT NULL,
	`value` text NOT NULL,
	`model_id` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `model_routing_rules_org_idx` ON `model_routing_rules` (`org_id`,`position`);--> statement-breakpoint
CREATE TABLE `models` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`name` text NOT NULL,
	`provider_id` text NOT NULL,
	`provider_model_id` text NOT NULL,
	`temperature` real,
	`max_output_tokens` integer,
	`context_window` integer,
	`input_price_per_million` real,
	`output_price_per_million` real,
	`enabled` integer DEFAULT true NOT NULL,
	`config` text NOT NULL,
	`fallbacks` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`provider_id`) REFERENCES `model_providers`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `models_org_name_uq` ON `models` (`org_id`,`name`);--> statement-breakpoint
CREATE INDEX `models_org_idx` ON `models` (`org_id`,`id`);--> statement-breakpoint
CREATE INDEX `models_provider_idx` ON `models` (`provider_id`);--> statement-breakpoint
CREATE TABLE `org_model_settings` (
	`org_id` text PRIMARY KEY NOT NULL,
	`default_model_id` text,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `agent_roles` ADD `model_id` text;--> statement-breakpoint
ALTER TABLE `agents` ADD `model_id` text;
