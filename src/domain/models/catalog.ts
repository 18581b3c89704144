import type { ProviderKind } from '../../db/schema';

export interface KnownModel {
  id: string;
  contextWindow: number | null;
  /** USD per million tokens, when known. */
  inputPricePerMillion: number | null;
  outputPricePerMillion: number | null;
}

const known = (id: string, contextWindow: number, input: number, output: number): KnownModel => ({
  id,
  contextWindow,
  inputPricePerMillion: input,
  outputPricePerMillion: output,
});

/**
 * A small curated list per provider kind: what is offered where a provider has no model list of
 * its own (Anthropic, Workers AI, dev), and context windows and list prices to fill in where a
 * listed model is known. Prices are the providers' published list prices and may drift.
 */
export const MODEL_CATALOG: Record<ProviderKind, KnownModel[]> = {
  openai: [
    known('gpt-4.1', 1_047_576, 2, 8),
    known('gpt-4.1-mini', 1_047_576, 0.4, 1.6),
    known('gpt-4o', 128_000, 2.5, 10),
    known('gpt-4o-mini', 128_000, 0.15, 0.6),
    known('o4-mini', 200_000, 1.1, 4.4),
  ],
  anthropic: [
    known('claude-opus-4-1', 200_000, 15, 75),
    known('claude-sonnet-4-5', 200_000, 3, 15),
    known('claude-haiku-4-5', 200_000, 1, 5),
  ],
  openai_compatible: [],
  ollama: [],
  litellm: [],
  dev: [known('dev-echo', 32_768, 0, 0)],
  workers_ai: [
    {
      id: '@cf/meta/llama-3.3-70b-instruct-fp8-fast',
      contextWindow: 24_000,
      inputPricePerMillion: null,
      outputPricePerMillion: null,
    },
    {
      id: '@cf/meta/llama-3.1-8b-instruct',
      contextWindow: 7_968,
      inputPricePerMillion: null,
      outputPricePerMillion: null,
    },
  ],
};

/** The catalog entry for a model id, matching a listed id that carries a date or tag suffix too. */
export function catalogEntry(kind: ProviderKind, id: string): KnownModel | undefined {
  const all = Object.values(MODEL_CATALOG).flat();
  const own = MODEL_CATALOG[kind];
  const match = (m: KnownModel) => id === m.id || id.startsWith(`${m.id}-20`) || id.startsWith(`${m.id}:`);
  return own.find(match) ?? all.find(match);
}
