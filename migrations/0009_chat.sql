CREATE TABLE `chat_sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`agent_id` text NOT NULL,
	`project_id` text,
	`ticket_id` text,
	`title` text NOT NULL,
	`multitask` text NOT NULL,
	`archived` integer DEFAULT false NOT NULL,
	`created_by` text NOT NULL,
	`last_message_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`agent_id`) REFERENCES `agents`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`ticket_id`) REFERENCES `tickets`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `chat_sessions_org_idx` ON `chat_sessions` (`org_id`,`id`);--> statement-breakpoint
CREATE INDEX `chat_sessions_agent_idx` ON `chat_sessions` (`org_id`,`agent_id`,`id`);--> statement-breakpoint
CREATE TABLE `chat_participants` (
	`session_id` text NOT NULL,
	`org_id` text NOT NULL,
	`user_id` text NOT NULL,
	`added_by` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`session_id`, `user_id`),
	FOREIGN KEY (`session_id`) REFERENCES `chat_sessions`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `chat_participants_user_idx` ON `chat_participants` (`org_id`,`user_id`,`session_id`);
