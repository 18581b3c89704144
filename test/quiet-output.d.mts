import type { Plugin } from 'vitest/config';

export function quietTestOutput(): Plugin;
