// Build-time entry for what scripts/build.mjs computes once and ships in dist/: the tools/list
// entries and the language maps baked into the bundle (see src/mcp/tools.ts, repo-scan/languages.ts)
// and the o200k table (see src/core/o200k.ts).
import bpe from 'gpt-tokenizer/bpeRanks/o200k_base';
import { buildVocabulary, serializeVocabulary } from '../src/core/o200k.js';
import { toolDefinitions } from '../src/mcp/definitions.js';
import { TOOLS } from '../src/tools/index.js';
import { linguistMaps } from '../src/tools/repo-scan/languages.js';

export const tools = await toolDefinitions(TOOLS);

export const vocabulary = (): Buffer => serializeVocabulary(buildVocabulary(bpe));

export const languages = await linguistMaps();
