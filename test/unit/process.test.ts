import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { childEnv, HeadTail, runProcess } from '../../src/core/process.js';
import { tempDir } from '../helpers/repo.js';

/** Running, not merely a zombie: in containers PID 1 may never reap orphans. */
const alive = (pid: number): boolean => {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(' ')[2] !== 'Z';
  } catch {
    return false;
  }
};

describe('process', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => (dir = await tempDir()));
  afterEach(() => dir.cleanup());

  it('passes argv verbatim, never through a shell', async () => {
    const result = await runProcess('node', ['-e', 'console.log(JSON.stringify(process.argv.slice(1)))', 'a b', '$(echo hi)', ';rm -rf x'], { cwd: dir.path });
    expect(JSON.parse(result.stdout)).toEqual(['a b', '$(echo hi)', ';rm -rf x']);
    expect(result.exitCode).toBe(0);
  });

  it('runs in the given cwd, feeds stdin and reports lines as they come', async () => {
    const lines: string[] = [];
    const result = await runProcess('node', ['-e', 'process.stdin.pipe(process.stdout); console.error(process.cwd())'], {
      cwd: dir.path,
      input: 'one\ntwo\n',
      onLine: (line, stream) => lines.push(`${stream}:${line}`),
    });
    expect(result.stdout).toBe('one\ntwo\n');
    expect(lines).toContain('stdout:two');
    expect(lines.some((l) => l.startsWith('stderr:') && l.endsWith(dir.path.split('/').pop()!))).toBe(true);
  });

  it('hands stdout over as raw bytes, whole characters across chunk boundaries, and keeps none of it', async () => {
    // 3-byte characters: 64 KiB pipe chunks end inside one.
    const chunks: Buffer[] = [];
    const result = await runProcess('node', ['-e', "process.stdout.write('€'.repeat(100000)); console.error('done')"], {
      cwd: dir.path,
      onStdoutBytes: (chunk) => chunks.push(chunk),
    });
    expect(chunks.length).toBeGreaterThan(1);
    expect(Buffer.concat(chunks).toString('utf8')).toBe('€'.repeat(100000));
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('done\n');
  });

  describe('with an output file', () => {
    it('writes both streams into it in the order written, after what it held, and reads them back while the process runs', async () => {
      const file = join(dir.path, 'run.log');
      writeFileSync(file, 'an earlier step\n');
      const seen: Array<{ line: string; at: number }> = [];
      const script = "console.log('one'); console.error('two'); setTimeout(() => console.log('three'), 1500)";
      const result = await runProcess('node', ['-e', script], {
        cwd: dir.path,
        outputFile: file,
        onLine: (line) => seen.push({ line, at: performance.now() }),
      });
      expect(readFileSync(file, 'utf8')).toBe('an earlier step\none\ntwo\nthree\n');
      expect(result.output).toBe('one\ntwo\nthree\n');
      expect(result.stdout + result.stderr).toBe('');
      expect(seen.map((entry) => entry.line)).toEqual(['one', 'two', 'three']);
      // Followed, not read only at the end: the first lines came while the process slept.
      expect(seen[2]!.at - seen[0]!.at).toBeGreaterThan(800);
    });

    it('keeps characters whole across reads, and the output to its head and tail', async () => {
      const file = join(dir.path, 'run.log');
      const result = await runProcess('node', ['-e', "process.stdout.write('a€'.repeat(600000))"], { cwd: dir.path, outputFile: file, maxOutputChars: 1000 });
      expect(statSync(file).size).toBe(2_400_000); // more than one read
      expect((statSync(file).mode & 0o777).toString(8)).toBe('600'); // created private: test output can hold secrets
      expect(result.output).toMatch(/^(a€){250}\n… 1199000 characters of output omitted …\n(a€){250}$/);
    });

    it('ends when the process does, even if something it started still holds the output', async () => {
      // Through pipes the run would wait for the grandchild to let go of them, here until the timeout.
      const file = join(dir.path, 'run.log');
      const script = `
        const { spawn } = require('node:child_process');
        const g = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)'], { stdio: 'inherit', detached: true });
        g.unref();
        console.log(g.pid);`;
      const result = await runProcess('node', ['-e', script], { cwd: dir.path, outputFile: file, timeoutMs: 10_000 });
      const grandchild = Number(result.output.trim());
      try {
        expect(result.timedOut).toBe(false);
        expect(result.exitCode).toBe(0);
        expect(alive(grandchild)).toBe(true);
      } finally {
        process.kill(grandchild, 'SIGKILL');
      }
    });

    it('stops a process that writes without end at the limit, and cuts the file back to it', async () => {
      const file = join(dir.path, 'run.log');
      writeFileSync(file, 'an earlier step\n');
      const limit = 1 << 20;
      // Writes for ever; only the limit can end it before the timeout.
      const endless = "const line = 'x'.repeat(1023) + '\\n'; for (;;) process.stdout.write(line)";
      const result = await runProcess('node', ['-e', endless], { cwd: dir.path, outputFile: file, maxOutputFileBytes: limit, timeoutMs: 60_000 });
      expect(result).toMatchObject({ outputLimited: true, timedOut: false });
      expect(statSync(file).size).toBe('an earlier step\n'.length + limit);
      expect(readFileSync(file, 'utf8').startsWith('an earlier step\nxxx')).toBe(true);
      expect(result.output.length).toBeLessThanOrEqual(limit);

      // Exactly the limit is not past it.
      const exact = await runProcess('node', ['-e', `process.stdout.write('y'.repeat(${limit}))`], {
        cwd: dir.path,
        outputFile: file,
        maxOutputFileBytes: limit,
      });
      expect(exact).toMatchObject({ outputLimited: false, exitCode: 0 });
      expect(statSync(file).size).toBe('an earlier step\n'.length + 2 * limit);
    });

    it('still kills the whole group on timeout, and says a missing program is missing', async () => {
      const file = join(dir.path, 'run.log');
      const script = `
        const { spawn } = require('node:child_process');
        const g = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
        console.log(g.pid);
        setInterval(() => {}, 1000);`;
      const result = await runProcess('node', ['-e', script], { cwd: dir.path, outputFile: file, timeoutMs: 1500, killGraceMs: 500 });
      expect(result.timedOut).toBe(true);
      await new Promise((r) => setTimeout(r, 200));
      expect(alive(Number(result.output.trim()))).toBe(false);
      await expect(runProcess('baton-no-such-program', [], { cwd: dir.path, outputFile: file })).rejects.toThrow(/not installed or not on PATH/);
    });
  });

  it('leaves nothing of its group running after a normal exit', async () => {
    // A grandchild in the same group, as a test server a suite forgot to stop would be.
    const script = `
      const { spawn } = require('node:child_process');
      const g = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
      g.unref();
      console.log(g.pid);`;
    const result = await runProcess('node', ['-e', script], { cwd: dir.path, timeoutMs: 10_000 });
    expect(result).toMatchObject({ exitCode: 0, timedOut: false });
    const grandchild = Number(result.stdout.trim());
    await new Promise((r) => setTimeout(r, 200));
    expect(alive(grandchild)).toBe(false);
  });

  it('kills the whole process group on timeout, leaving no orphans', async () => {
    // The child forks a grandchild that would outlive a plain kill of the child.
    const script = `
      const { spawn } = require('node:child_process');
      const g = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
      console.log(g.pid);
      setInterval(() => {}, 1000);`;
    const result = await runProcess('node', ['-e', script], { cwd: dir.path, timeoutMs: 1500, killGraceMs: 500 });
    expect(result.timedOut).toBe(true);
    const grandchild = Number(result.stdout.trim());
    await new Promise((r) => setTimeout(r, 200));
    expect(alive(grandchild)).toBe(false);
  });

  it('stops on abort', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const result = await runProcess('node', ['-e', 'setInterval(() => {}, 1000)'], { cwd: dir.path, signal: controller.signal });
    expect(result.cancelled).toBe(true);
    expect(result.exitCode === null || result.signal !== null).toBe(true);
  });

  it('drops secrets from the environment unless allowed', async () => {
    const env = childEnv(
      {
        PATH: '/bin',
        OPENAI_API_KEY: 'sk',
        GITHUB_TOKEN: 't',
        MY_SECRET: 's',
        DB_PASSWORD: 'p',
        AWS_SECRET_ACCESS_KEY: 'a',
        NPM_TOKEN: 'n',
        KEEP_TOKEN: 'k',
        HOME: '/h',
      },
      ['KEEP_TOKEN'],
      { EXTRA: '1' },
    );
    expect(env).toEqual({ PATH: '/bin', HOME: '/h', KEEP_TOKEN: 'k', EXTRA: '1' });
    process.env.BATON_TEST_SECRET = 'leak';
    try {
      const result = await runProcess('node', ['-e', 'console.log(process.env.BATON_TEST_SECRET ?? "none")'], { cwd: dir.path });
      expect(result.stdout.trim()).toBe('none');
    } finally {
      delete process.env.BATON_TEST_SECRET;
    }
  });

  // Names and values that must not reach a child process, and ordinary ones that must.
  const STRIPPED: Array<[string, string]> = [
    ['OPENAI_API_KEY', 'sk-x'],
    ['GITHUB_TOKEN', 'ghp_x'],
    ['TOKEN_GITHUB', 'ghp_x'],
    ['GH_TOKEN', 'x'],
    ['NPM_TOKEN', 'x'],
    ['npm_config__authToken', 'x'],
    ['GITHUB_PAT', 'github_pat_x'],
    ['AZURE_DEVOPS_EXT_PAT', 'x'],
    ['AWS_ACCESS_KEY_ID', 'AKIA0000'],
    ['AWS_SECRET_ACCESS_KEY', 'x'],
    ['AWS_SESSION_TOKEN', 'x'],
    ['STRIPE_KEY', 'sk_live_x'],
    ['ANTHROPICAPIKEY', 'x'],
    ['SENTRY_DSN', 'https://abc@o1.ingest.sentry.io/1'],
    ['DOCKER_AUTH_CONFIG', '{"auths":{}}'],
    ['BASIC_AUTH', 'u:p'],
    ['OAUTH_CLIENT_ID', 'x'],
    ['SSH_AUTH_SOCK', '/tmp/ssh-x/agent.1'],
    ['DB_PASSWORD', 'x'],
    ['PGPASSWORD', 'x'],
    ['MYSQL_PWD', 'x'],
    ['SMTP_PASS', 'x'],
    ['GPG_PASSPHRASE', 'x'],
    ['MY_SECRET', 'x'],
    ['CLIENT_SECRETS', 'x'],
    ['GOOGLE_APPLICATION_CREDENTIALS', '/home/u/key.json'],
    ['REGISTRY_CREDS', 'x'],
    ['SSH_PRIVATE_KEY', '-----BEGIN'],
    ['SIGNING_PRIVATE_KEY_PATH', '/k'],
    ['SLACK_WEBHOOK_URL', 'https://hooks.slack.com/services/x'],
    ['SESSION_COOKIE', 'x'],
    // Innocent names, credentials in the value: a URL with user:password.
    ['DATABASE_URL', 'postgres://u:pw@db.example.com/app'],
    ['REDIS_URL', 'redis://:pw@localhost:6379'],
    ['HTTPS_PROXY', 'http://user:pass@proxy:3128'],
    ['PIP_EXTRA_INDEX_URL', 'https://pypi.org/simple https://u:t@pkgs.example.com/simple'],
  ];
  const KEPT: Array<[string, string]> = [
    ['PATH', '/usr/bin:/bin'],
    ['HOME', '/home/u'],
    ['PWD', '/work'],
    ['OLDPWD', '/'],
    ['LANG', 'C.UTF-8'],
    ['LC_ALL', 'C'],
    ['TERM', 'xterm'],
    ['CI', 'true'],
    ['NODE_OPTIONS', '--max-old-space-size=4096'],
    ['NODE_ENV', 'test'],
    ['GOPATH', '/go'],
    ['GOFLAGS', '-mod=mod'],
    ['CARGO_HOME', '/cargo'],
    ['RUSTUP_HOME', '/rustup'],
    ['PYTHONPATH', '/src'],
    ['VIRTUAL_ENV', '/venv'],
    ['KEYBOARD_LAYOUT', 'us'],
    ['XKB_DEFAULT_KEYMAP', 'us'],
    ['GIT_AUTHOR_NAME', 'A'],
    ['GIT_AUTHOR_EMAIL', 'a@example.com'],
    ['GIT_ASKPASS', '/usr/bin/true'],
    ['TOKENIZERS_PARALLELISM', 'false'],
    ['PATHEXT', '.EXE'],
    ['JAVA_HOME', '/jdk'],
    ['DBUS_SESSION_BUS_ADDRESS', 'unix:path=/run/user/1000/bus'],
    ['SSL_CERT_FILE', '/etc/ssl/cert.pem'],
    ['npm_config_registry', 'https://registry.npmjs.org/'],
    ['GIT_REMOTE', 'ssh://git@github.com/o/r.git'],
    ['HTTP_PROXY', 'http://proxy:3128'],
    ['DATABASE_URL_LOCAL', 'postgres://localhost/app'],
    ['DEBUG_URL', 'http://[::1]:9229/x'],
  ];

  it.each(STRIPPED)('strips %s (=%s)', (name, value) => {
    expect(childEnv({ [name]: value })).toEqual({});
    expect(childEnv({ [name]: value }, [name])).toEqual({ [name]: value }); // env.pass lets it through
  });

  it.each(KEPT)('keeps %s (=%s)', (name, value) => {
    expect(childEnv({ [name]: value })).toEqual({ [name]: value });
  });

  it('reports a missing program as a user error', async () => {
    await expect(runProcess('baton-no-such-program', [], { cwd: dir.path })).rejects.toThrow(/not installed or not on PATH/);
  });

  it('keeps the head and tail of large output', () => {
    const buffer = new HeadTail(20);
    buffer.push('0123456789');
    buffer.push('abcdefghij'.repeat(5));
    expect(buffer.omitted).toBe(40);
    expect(buffer.text()).toBe('0123456789\n… 40 characters of output omitted …\nabcdefghij');
  });
});
