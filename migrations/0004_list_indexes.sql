CREATE INDEX `teams_org_idx` ON `teams` (`org_id`,`id`);--> statement-breakpoint
CREATE INDEX `jobs_org_idx` ON `jobs` (`org_id`,`id`);