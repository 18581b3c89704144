import { randomToken } from '../../lib/crypto';

export function slugify(name: string): string {
  const base = name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return base || 'org';
}

/** A slug that is very unlikely to be taken, for organizations made on the user's behalf. */
export const uniqueSlug = (name: string) =>
  `${slugify(name)}-${randomToken(4)
    .toLowerCase()
    .replace(/[^a-z0-9]/g, 'x')}`;
