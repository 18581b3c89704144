// Bundled in place of zod's locales module (see `[alias]` in wrangler.toml). zod's namespace object
// carries every locale it ships, about 360 KiB of the Worker; Foreman's messages are English only.
export { default as en } from 'zod/v4/locales/en.js';
