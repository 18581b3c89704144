import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';
import { quietTestOutput } from './test/quiet-output.mjs';

export default defineConfig(async () => {
  const migrations = await readD1Migrations('./migrations');
  return {
    plugins: [
      quietTestOutput(),
      cloudflareTest({
        wrangler: { configPath: './wrangler.toml' },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            ENVIRONMENT: 'development',
            DEV_OUTBOX: 'true',
            // Fixed test secrets; development generates its own into .dev.vars.
            JWT_SECRET: 'test:test-jwt-secret-that-is-long-enough-0123456789',
            VAULT_MASTER_KEYS: '1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=',
            // Cheap password hashes: the suite signs in hundreds of users (each hash keeps its parameters).
            PASSWORD_HASH_COST: 'test',
          },
        },
      }),
    ],
    test: {
      setupFiles: ['./test/setup.ts'],
      include: ['test/**/*.test.ts'],
      testTimeout: 30_000,
    },
  };
});
