import { describe, expect, it } from 'vitest';
import { EFFORTS, loadConfig } from '../../src/config.js';
import { parseFindings } from '../../src/tools/delegate-to-codex/findings.js';
import { clampEffort, route } from '../../src/tools/delegate-to-codex/router.js';

const ROOT = '/work/repo';

describe('review findings', () => {
  it("reads Codex's rendering: several findings, priorities, checkboxes, bodies over several lines", () => {
    const text = [
      'The patch breaks addition.',
      '',
      'Full review comments:',
      '',
      `- [P0] add() subtracts — ${ROOT}/src/add.js:3-5`,
      '  add returns a - b.',
      '',
      '  Every caller gets wrong sums.',
      '',
      `- [x] [P2] Off by one — ${ROOT}/src/range.js:10-10`,
      '  The loop stops one early.',
      '',
      `- Missing guard — ${ROOT}/lib/io.ts:1-2`,
      '  No check for null.',
      '- [P3] Typo in a name — /elsewhere/other.js:7-7',
      '  Outside the workspace.',
    ].join('\n');
    expect(parseFindings(text, ROOT)).toEqual([
      { path: 'src/add.js', line: 3, severity: 'high', title: 'add() subtracts', body: 'add returns a - b.\n\nEvery caller gets wrong sums.' },
      { path: 'src/range.js', line: 10, severity: 'medium', title: 'Off by one', body: 'The loop stops one early.' },
      { path: 'lib/io.ts', line: 1, severity: 'medium', title: 'Missing guard', body: 'No check for null.' },
      { path: '/elsewhere/other.js', line: 7, severity: 'low', title: 'Typo in a name', body: 'Outside the workspace.' },
    ]);
  });

  it("reads a JSON answer in Baton's shape or Codex's, fenced or bare", () => {
    const ours = { findings: [{ path: './src/a.ts', line: 2, severity: 'low', title: 'Nit', body: 'Small.' }] };
    expect(parseFindings(`Here it is:\n\`\`\`json\n${JSON.stringify(ours)}\n\`\`\``, ROOT)).toEqual([
      { path: 'src/a.ts', line: 2, severity: 'low', title: 'Nit', body: 'Small.' },
    ]);
    const codex = {
      findings: [
        { title: '[P1] Leak', body: 'Never closed.', priority: 1, code_location: { absolute_file_path: `${ROOT}/src/f.ts`, line_range: { start: 8, end: 9 } } },
      ],
      overall_correctness: 'patch is incorrect',
    };
    expect(parseFindings(JSON.stringify(codex), ROOT)).toEqual([{ path: 'src/f.ts', line: 8, severity: 'high', title: 'Leak', body: 'Never closed.' }]);
    expect(parseFindings('{"findings": [], "overall_correctness": "patch is correct"}', ROOT)).toEqual([]);
  });

  it('finds nothing to read in prose, and says so with undefined', () => {
    expect(parseFindings('Looks good to me.', ROOT)).toBeUndefined();
    expect(parseFindings('Review comment:\n\nnothing in the expected form', ROOT)).toEqual([]);
  });
});

describe('effort clamping over the whole range', () => {
  it('picks the nearest supported effort, the higher one on a tie', () => {
    expect(EFFORTS).toEqual(['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max']);
    const clamp = (supported: (typeof EFFORTS)[number][]) => Object.fromEntries(EFFORTS.map((effort) => [effort, clampEffort(effort, supported)]));
    expect(clamp(['medium', 'high'])).toEqual({ none: 'medium', minimal: 'medium', low: 'medium', medium: 'medium', high: 'high', xhigh: 'high', max: 'high' });
    expect(clamp(['low', 'medium', 'high'])).toEqual({ none: 'low', minimal: 'low', low: 'low', medium: 'medium', high: 'high', xhigh: 'high', max: 'high' });
    expect(clamp(['none', 'low', 'max'])).toEqual({ none: 'none', minimal: 'low', low: 'low', medium: 'low', high: 'max', xhigh: 'max', max: 'max' });
  });

  it('routes with the note the result carries', () => {
    const config = loadConfig({}, {});
    expect(route('Fix the typo in a.ts', 'auto', 'max', config)).toMatchObject({
      model: 'gpt-5.1-codex-mini',
      effort: 'high',
      notes: ['effort "max" is not supported by gpt-5.1-codex-mini; used "high"', 'model auto: gpt-5.1-codex-mini (narrow task)'],
    });
    expect(route('Refactor the parser across src/a.ts and src/b.ts', 'auto', 'none', config)).toMatchObject({ model: 'gpt-5.1-codex-max', effort: 'low' });
  });
});
