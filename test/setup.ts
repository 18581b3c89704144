import { applyD1Migrations, env } from 'cloudflare:test';

// Applied the way `wrangler d1 migrations apply` does; idempotent across test files.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
