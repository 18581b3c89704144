-- Budget reservations become one row per call in flight with an expiry, so a reservation whose
-- Worker died before settling stops counting on its own (the aggregate column could not tell).
CREATE TABLE `model_budget_reservations` (
	`id` text PRIMARY KEY NOT NULL,
	`budget_id` text NOT NULL,
	`period` text NOT NULL,
	`amount` integer NOT NULL,
	`expires_at` integer NOT NULL,
	FOREIGN KEY (`budget_id`) REFERENCES `model_budgets`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `model_budget_reservations_budget_idx` ON `model_budget_reservations` (`budget_id`,`period`,`expires_at`);--> statement-breakpoint
CREATE INDEX `model_budget_reservations_expires_idx` ON `model_budget_reservations` (`expires_at`);--> statement-breakpoint
ALTER TABLE `model_budget_periods` DROP COLUMN `reserved`;--> statement-breakpoint
-- Tokens of a cancelled or broken stream are estimated when the provider reported none.
ALTER TABLE `ai_calls` ADD `usage_estimated` integer DEFAULT false NOT NULL;
