-- Agent memory: per-agent entries and (agent_id NULL) the organization's shared knowledge.
CREATE TABLE `memory_entries` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`agent_id` text,
	`kind` text NOT NULL,
	`content` text NOT NULL,
	`tags` text NOT NULL,
	`source` text NOT NULL,
	`expires_at` integer,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`agent_id`) REFERENCES `agents`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `memory_entries_org_idx` ON `memory_entries` (`org_id`,`id`);--> statement-breakpoint
CREATE INDEX `memory_entries_org_agent_idx` ON `memory_entries` (`org_id`,`agent_id`,`id`);--> statement-breakpoint
CREATE INDEX `memory_entries_expiry_idx` ON `memory_entries` (`expires_at`) WHERE expires_at IS NOT NULL;--> statement-breakpoint
-- Full-text search over content and tags (tags as space-separated words), kept in step by
-- triggers; rows share the entry's rowid. `rank` weighs a tag match twice a content match.
CREATE VIRTUAL TABLE `memory_fts` USING fts5(`entry_id` UNINDEXED, `content`, `tags`, tokenize = 'porter unicode61');--> statement-breakpoint
INSERT INTO `memory_fts` (`memory_fts`, `rank`) VALUES ('rank', 'bm25(0.0, 1.0, 2.0)');--> statement-breakpoint
CREATE TRIGGER `memory_fts_insert` AFTER INSERT ON `memory_entries` BEGIN
	INSERT INTO `memory_fts` (`rowid`, `entry_id`, `content`, `tags`) VALUES (new.rowid, new.id, new.content, (SELECT coalesce(group_concat(value, ' '), '') FROM json_each(new.tags)));
END;--> statement-breakpoint
CREATE TRIGGER `memory_fts_update` AFTER UPDATE OF `content`, `tags` ON `memory_entries` BEGIN
	DELETE FROM `memory_fts` WHERE `rowid` = old.rowid;
	INSERT INTO `memory_fts` (`rowid`, `entry_id`, `content`, `tags`) VALUES (new.rowid, new.id, new.content, (SELECT coalesce(group_concat(value, ' '), '') FROM json_each(new.tags)));
END;--> statement-breakpoint
CREATE TRIGGER `memory_fts_delete` AFTER DELETE ON `memory_entries` BEGIN
	DELETE FROM `memory_fts` WHERE `rowid` = old.rowid;
END;--> statement-breakpoint
-- Tool approval settings: every tool of an MCP server assigned to a role, and the built-in tools
-- a role names, pause for a person's approval before they run.
ALTER TABLE `role_mcp_servers` ADD `requires_approval` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `agent_roles` ADD `tools_requiring_approval` text DEFAULT '[]' NOT NULL;
