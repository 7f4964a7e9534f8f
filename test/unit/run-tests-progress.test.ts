import { describe, expect, it } from 'vitest';
import { throttled } from '../../src/core/progress.js';
import { cargo } from '../../src/tools/run-tests/runners/cargo.js';
import { go } from '../../src/tools/run-tests/runners/go.js';
import { pytest } from '../../src/tools/run-tests/runners/pytest.js';

describe('run-tests progress', () => {
  it('sends at most one message a second, the newest one when it does', () => {
    let now = 0;
    const sent: string[] = [];
    const say = throttled(
      (message) => sent.push(message),
      1000,
      () => now,
    );
    for (let i = 1; i <= 2000; i++) {
      now = i * 2; // 2000 tests over 4 s
      say(`${i} tests finished; running tests/test_${Math.floor(i / 100)}.py`);
    }
    expect(sent.length).toBe(4);
    expect(sent[1]).toBe('501 tests finished; running tests/test_5.py');
  });
});

describe("pytest's progress lines (its default output, pytest 9.0.3)", () => {
  it('counts one finished test per status character, wrapped lines included, and names the file', () => {
    const lines = [
      'collected 152 items',
      '',
      'tests/test_few.py .s                                                     [  1%]',
      'tests/test_many.py .......F............................................. [ 36%]',
      '........................................................................ [ 83%]',
      '.........................                                                [100%]',
      '',
      '=================================== FAILURES ===================================',
      '___________________________________ test_t7 ____________________________________',
    ];
    const events = lines.map((line) => pytest.progress(line)).filter((event) => event !== undefined);
    expect(events.reduce((sum, event) => sum + (event.finished ?? 0), 0)).toBe(152);
    expect(events.map((event) => event.file).filter(Boolean)).toEqual(['tests/test_few.py', 'tests/test_many.py']);
  });
});

describe('the current file in cargo and go progress', () => {
  // Lines as cargo 1.8x and go 1.19 print them.
  it.each([
    [cargo, '     Running unittests src/lib.rs (target/debug/deps/bench-f45110b94ca06ea2)', { file: 'src/lib.rs' }],
    [cargo, '     Running tests/t0.rs (target/debug/deps/t0-01b8ef26f5ccd051)', { file: 'tests/t0.rs' }],
    [cargo, '   Doc-tests bench', { file: 'the doc tests of bench' }],
    [cargo, 'test t7 ... ok', { finished: 1 }],
    [cargo, 'test result: ok. 100 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.01s', undefined],
    [
      go,
      '{"Time":"2026-12-06T21:47:51.897095588Z","Action":"pass","Package":"example.com/p","Test":"TestA","Elapsed":0}',
      { finished: 1, file: 'example.com/p' },
    ],
    [go, '{"Time":"2026-12-06T21:47:51.897103052Z","Action":"run","Package":"example.com/p","Test":"TestB"}', undefined],
    [go, '{"Time":"2026-12-06T21:47:51.9Z","Action":"pass","Package":"example.com/p","Elapsed":0.01}', undefined],
  ])('line %#', (runner, line, event) => {
    expect(runner.progress(line)).toEqual(event);
  });
});
