/**
 * What every runner's output is turned into, whatever the runner and report format.
 */

export type CaseStatus = 'passed' | 'failed' | 'skipped';

export interface TestCase {
  /** Full name as the runner prints it (suite names joined by ' > ' where the report nests them). */
  name: string;
  /** Root-relative (or runner-relative) test file, when the report gives it. */
  file?: string | undefined;
  /** 1-based line of the failure (or the test), when the report gives it. */
  line?: number | undefined;
  status: CaseStatus;
  /** First line(s) of the failure message. */
  message?: string | undefined;
  /** A short excerpt: the assertion diff and the first stack frames, at most ~20 lines. */
  excerpt?: string | undefined;
  durationMs?: number | undefined;
  /**
   * What re-runs exactly this test with this runner: a pytest node id (`tests/test_x.py::test_y`),
   * a go test name (`TestX` plus its package), a cargo test path (`module::test_y`), or the
   * plain name for JS runners. Used by `onlyFailed`.
   */
  id?: string | undefined;
  /** go: the import path of the test's package, which `go test` needs beside the name. */
  package?: string | undefined;
}

export interface ParsedReport {
  cases: TestCase[];
  /** Counts from the report's own totals when it has them, else counted from `cases`. */
  summary: { total: number; passed: number; failed: number; skipped: number };
  /** Failures outside any test: a suite that failed to load, a compile error, a crashed worker. */
  errors: string[];
}
