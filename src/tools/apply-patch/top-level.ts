import type { GrammarName } from '../../core/treesitter.js';

/**
 * Which lines of a source text start a new top-level item: a lexical scan, per language family,
 * that the syntax guard uses to cut a file into pieces it can parse on their own (see
 * syntax-regions.ts). A line starts anew when, before it, the scan is outside every string,
 * comment, template and bracket, the item before it is complete, and the line itself cannot
 * continue that item (it starts at column 0 with a token no statement continues with).
 *
 * The scan is conservative: where it cannot tell (a construct it does not model, brackets that
 * do not balance), it says "not a start", which only makes the pieces larger. It never needs to
 * be exact for a file that is broken: such a file is not judged.
 */

/** Language families whose top-level lines the scan knows. */
export type Family = 'js' | 'c' | 'rust' | 'go' | 'python';

const FAMILIES: Partial<Record<GrammarName, Family>> = {
  typescript: 'js',
  tsx: 'js',
  javascript: 'js',
  c: 'c',
  cpp: 'c',
  rust: 'rust',
  go: 'go',
  python: 'python',
};

/** The family of a grammar, if the scan knows its top-level lines. */
export function familyOf(grammar: GrammarName): Family | undefined {
  return FAMILIES[grammar];
}

enum Mode {
  Code,
  BlockComment,
  String,
  Raw,
  Template,
}

enum Ch {
  Tab = 9,
  Space = 32,
  Bang = 33,
  DoubleQuote = 34,
  Hash = 35,
  Dollar = 36,
  Quote = 39,
  OpenParen = 40,
  CloseParen = 41,
  Star = 42,
  Slash = 47,
  Zero = 48,
  Nine = 57,
  Semicolon = 59,
  At = 64,
  UpperA = 65,
  UpperZ = 90,
  OpenBracket = 91,
  Backslash = 92,
  CloseBracket = 93,
  Underscore = 95,
  Backtick = 96,
  LowerA = 97,
  LowerZ = 122,
  OpenBrace = 123,
  CloseBrace = 125,
}

/** What the last code token was, as far as "is the item before complete" goes. */
enum Last {
  /** Nothing yet: the start of the text. */
  None,
  /** An identifier, keyword, number, string, template, regular expression. */
  Operand,
  /** A C preprocessor line (complete unless continued with a backslash). */
  Directive,
  /** Any other punctuation: its character code is kept in `lastChar`. */
  Punctuation,
}

/** Words a JavaScript/TypeScript statement may go on with on its next line. */
const JS_CONTINUING_FIRST = ['as', 'satisfies', 'in', 'of', 'instanceof', 'extends', 'implements', 'from', 'else', 'catch', 'finally', 'while'];
/** Words a JavaScript/TypeScript line may end with while its statement goes on. */
const JS_CONTINUING_LAST = new Set([
  ...JS_CONTINUING_FIRST,
  'new',
  'typeof',
  'void',
  'delete',
  'await',
  'yield',
  'export',
  'default',
  'import',
  'return',
  'throw',
  'case',
  'do',
  'const',
  'let',
  'var',
  'function',
  'class',
  'async',
  'keyof',
  'type',
  'interface',
  'enum',
  'declare',
  'abstract',
  'namespace',
  'module',
  'static',
  'readonly',
  'public',
  'private',
  'protected',
  'get',
  'set',
]);
/** After these words a `/` starts a regular expression, not a division. */
const JS_BEFORE_REGEX = new Set(['return', 'typeof', 'instanceof', 'in', 'of', 'new', 'delete', 'void', 'throw', 'case', 'do', 'else', 'yield', 'await']);
/** Lines starting with these words continue the statement before them. */
const CONTINUING_FIRST_WORDS: Record<Family, ReadonlySet<string>> = {
  js: new Set(JS_CONTINUING_FIRST),
  c: new Set(['else', 'catch']),
  rust: new Set(['else', 'where']),
  go: new Set(['else']),
  python: new Set(['else', 'elif', 'except', 'finally']),
};

function isIdentifierChar(ch: number): boolean {
  return (
    (ch >= Ch.LowerA && ch <= Ch.LowerZ) ||
    (ch >= Ch.UpperA && ch <= Ch.UpperZ) ||
    (ch >= Ch.Zero && ch <= Ch.Nine) ||
    ch === Ch.Underscore ||
    ch === Ch.Dollar ||
    ch >= 0x80
  );
}

function isDigit(ch: number): boolean {
  return ch >= Ch.Zero && ch <= Ch.Nine;
}

/**
 * A line-by-line lexical scan from a top-level start. `startsAnew(line)` asks about the next
 * line before `consume(line)` moves past it.
 */
export class TopLevelScanner {
  private mode = Mode.Code;
  /** The quote of the open string; for Python, whether it is a triple quote. */
  private quote = 0;
  private triple = false;
  /** What ends the open raw string (Go's backtick, Rust's `"##`, C++'s `)delim"`). */
  private rawEnd = '';
  /** Rust's block comments nest. */
  private commentDepth = 0;
  /** Open brackets of all kinds. */
  private depth = 0;
  /** JavaScript: the bracket depth at each open `${` of a template, innermost last. */
  private readonly substitutions: number[] = [];
  /** A closing bracket without an opening one: the scan no longer knows where it is. */
  private lost = false;
  /** The line before ended with a backslash outside a string (Python, C): this one continues it. */
  private continued = false;
  /** C: the line is (a continuation of) a preprocessor directive. */
  private directive = false;
  private last = Last.None;
  private lastChar = 0;
  private lastWord = '';
  /** JavaScript: a `/` here starts a regular expression. */
  private regexAllowed = true;
  /** The last line that started a statement was a decorator (`@x`): the next statement belongs to it. */
  private decorated = false;

  constructor(private readonly family: Family) {}

  /** Whether `line`, coming next, starts a new top-level item. */
  startsAnew(line: string): boolean {
    return this.startsStatement(line) && !this.decorated;
  }

  private startsStatement(line: string): boolean {
    if (this.lost || this.mode !== Mode.Code || this.depth !== 0 || this.continued || this.directive) return false;
    const first = line.charCodeAt(0);
    if (Number.isNaN(first) || !this.mayStartLine(first, line)) return false;
    if (isIdentifierChar(first)) {
      let end = 1;
      while (end < line.length && isIdentifierChar(line.charCodeAt(end))) end++;
      if (CONTINUING_FIRST_WORDS[this.family].has(line.slice(0, end))) return false;
    }
    return this.itemBeforeComplete();
  }

  /** Whether a line starting with `first` can start an item: anything else continues the one before (or closes a bracket). */
  private mayStartLine(first: number, line: string): boolean {
    if (isIdentifierChar(first)) return true;
    switch (this.family) {
      case 'python':
        // A backslash first joins the line to the next, and tree-sitter takes a lone one at the
        // start of a file, where it would fail after any statement.
        return !' \t\f\r#)]}\\'.includes(line[0]!);
      case 'js':
        return first === Ch.DoubleQuote || first === Ch.Quote || first === Ch.At;
      case 'c':
        // A directive, but not one that continues an #if.
        return first === Ch.Hash && !/^#\s*(?:else|elif|endif)/.test(line);
      case 'rust':
        return first === Ch.Hash && line.charCodeAt(1) === Ch.OpenBracket;
      case 'go':
        return false;
    }
  }

  /** Whether the code before ends an item, so that a new one may start. */
  private itemBeforeComplete(): boolean {
    if (this.last === Last.None) return true;
    switch (this.family) {
      case 'python':
        return true; // outside brackets and not continued: a line is a statement of its own
      case 'c':
      case 'rust':
        // Items end with `;` or `}`; anything else (a type on its own line, an attribute, a
        // template header) belongs to what follows.
        return this.last === Last.Directive || (this.last === Last.Punctuation && (this.lastChar === Ch.Semicolon || this.lastChar === Ch.CloseBrace));
      case 'go':
      case 'js':
        if (this.last === Last.Operand) return this.family === 'go' || !JS_CONTINUING_LAST.has(this.lastWord);
        return (
          this.last === Last.Punctuation &&
          (this.lastChar === Ch.Semicolon || this.lastChar === Ch.CloseBrace || this.lastChar === Ch.CloseParen || this.lastChar === Ch.CloseBracket)
        );
    }
    return false;
  }

  /** Moves past `line`. */
  consume(line: string): void {
    const statement = this.startsStatement(line);
    if (statement) this.decorated = line.charCodeAt(0) === Ch.At;
    const atLineStart = this.mode === Mode.Code && !this.directive && !this.continued;
    this.continued = false;
    if (this.family === 'c' && atLineStart && line.trimStart().startsWith('#')) this.directive = true;
    const lineDirective = this.directive;
    let i = 0;
    const n = line.length;
    while (i < n) {
      switch (this.mode) {
        case Mode.Code:
          i = this.family === 'python' ? this.python(line, i) : this.code(line, i);
          break;
        case Mode.BlockComment:
          i = this.blockComment(line, i);
          break;
        case Mode.String:
          i = this.string(line, i);
          break;
        case Mode.Raw: {
          const end = line.indexOf(this.rawEnd, i);
          if (end < 0) i = n;
          else {
            i = end + this.rawEnd.length;
            this.mode = Mode.Code;
            this.operand();
          }
          break;
        }
        case Mode.Template:
          i = this.template(line, i);
          break;
      }
    }
    // A string that cannot span lines ends with its line (the parser reports it; the scan goes on).
    if (this.mode === Mode.String && !this.stringSpansLines(line)) {
      this.mode = Mode.Code;
      this.operand();
    }
    if (lineDirective) {
      this.last = Last.Directive;
      this.directive = this.continued;
      this.continued = false;
    }
  }

  /** Whether the open string goes on to the next line: Rust's strings do, others only after a backslash, Python's triple quotes. */
  private stringSpansLines(line: string): boolean {
    if (this.family === 'rust' || this.triple) return true;
    let backslashes = 0;
    for (let k = line.length - 1; k >= 0 && line.charCodeAt(k) === Ch.Backslash; k--) backslashes++;
    return backslashes % 2 === 1;
  }

  private operand(word = ''): void {
    this.last = Last.Operand;
    this.lastWord = word;
    this.regexAllowed = this.family === 'js' && JS_BEFORE_REGEX.has(word);
  }

  private punctuation(ch: number): void {
    this.last = Last.Punctuation;
    this.lastChar = ch;
    this.lastWord = '';
    this.regexAllowed = ch !== Ch.CloseParen && ch !== Ch.CloseBracket && ch !== Ch.CloseBrace;
  }

  private open(ch: number): void {
    if (!this.directive) this.depth++;
    this.punctuation(ch);
  }

  private close(ch: number): void {
    if (!this.directive) {
      this.depth--;
      if (this.depth < 0) this.lost = true;
    }
    this.punctuation(ch);
  }

  /** One token of C-like code from `i`; returns where the scan goes on. */
  private code(line: string, i: number): number {
    const ch = line.charCodeAt(i);
    if (ch === Ch.Space || ch === Ch.Tab) return i + 1;
    const next = line.charCodeAt(i + 1);
    if (ch === Ch.Slash) {
      if (next === Ch.Slash) return line.length;
      if (next === Ch.Star) {
        this.mode = Mode.BlockComment;
        this.commentDepth = 1;
        return i + 2;
      }
      if (this.family === 'js' && this.regexAllowed) return this.regex(line, i + 1);
      this.punctuation(ch);
      return i + 1;
    }
    if (ch === Ch.Backslash && i === line.length - 1) {
      this.continued = true;
      return i + 1;
    }
    if (isDigit(ch)) return this.number(line, i);
    if (isIdentifierChar(ch)) {
      let end = i + 1;
      while (end < line.length && isIdentifierChar(line.charCodeAt(end))) end++;
      const word = line.slice(i, end);
      const after = line.charCodeAt(end);
      if (this.family === 'rust' && (word === 'r' || word === 'br' || word === 'cr') && (after === Ch.Hash || after === Ch.DoubleQuote)) {
        let hashes = 0;
        while (line.charCodeAt(end + hashes) === Ch.Hash) hashes++;
        if (line.charCodeAt(end + hashes) === Ch.DoubleQuote) {
          this.mode = Mode.Raw;
          this.rawEnd = `"${'#'.repeat(hashes)}`;
          return end + hashes + 1;
        }
        this.operand(word); // a raw identifier, r#type
        return end + hashes;
      }
      if (this.family === 'c' && after === Ch.DoubleQuote && /^(?:u8|u|U|L)?R$/.test(word)) {
        const open = line.indexOf('(', end + 1);
        if (open >= 0 && open - end - 1 <= 16) {
          this.mode = Mode.Raw;
          this.rawEnd = `)${line.slice(end + 1, open)}"`;
          return open + 1;
        }
      }
      this.operand(word);
      return end;
    }
    switch (ch) {
      case Ch.DoubleQuote:
        this.mode = Mode.String;
        this.quote = ch;
        this.triple = false;
        return i + 1;
      case Ch.Quote:
        return this.singleQuote(line, i);
      case Ch.Backtick:
        if (this.family === 'js') {
          this.mode = Mode.Template;
          return i + 1;
        }
        if (this.family === 'go') {
          this.mode = Mode.Raw;
          this.rawEnd = '`';
          return i + 1;
        }
        this.punctuation(ch);
        return i + 1;
      case Ch.OpenParen:
      case Ch.OpenBracket:
      case Ch.OpenBrace:
        this.open(ch);
        return i + 1;
      case Ch.CloseBrace:
        if (this.substitutions.length && this.depth - 1 === this.substitutions.at(-1)) {
          this.substitutions.pop();
          this.depth--;
          this.mode = Mode.Template;
          return i + 1;
        }
        this.close(ch);
        return i + 1;
      case Ch.CloseParen:
      case Ch.CloseBracket:
        this.close(ch);
        return i + 1;
      default:
        this.punctuation(ch);
        return i + 1;
    }
  }

  /** A `'`: a string (JavaScript), a character (C, Go), a character or a lifetime (Rust), or a digit separator. */
  private singleQuote(line: string, i: number): number {
    if (this.family === 'rust') {
      // 'x' and '\n' are characters; 'a (no closing quote right after one character) is a lifetime.
      const next = line.charCodeAt(i + 1);
      if (next === Ch.Backslash) {
        this.mode = Mode.String;
        this.quote = Ch.Quote;
        this.triple = false;
        return i + 1;
      }
      const width = next >= 0xd800 && next <= 0xdbff ? 2 : 1;
      if (line.charCodeAt(i + 1 + width) === Ch.Quote) {
        this.operand();
        return i + 2 + width;
      }
      this.punctuation(Ch.Quote);
      return i + 1;
    }
    this.mode = Mode.String;
    this.quote = Ch.Quote;
    this.triple = false;
    return i + 1;
  }

  /** A number literal (with C++'s ' and the _ digit separators). */
  private number(line: string, i: number): number {
    let end = i + 1;
    for (;;) {
      const ch = line.charCodeAt(end);
      if (isIdentifierChar(ch) || ch === 46 /* . */) end++;
      else if (ch === Ch.Quote && this.family === 'c' && isIdentifierChar(line.charCodeAt(end + 1))) end += 2;
      else break;
    }
    this.operand();
    return end;
  }

  /** A JavaScript regular expression after its `/`: to its closing `/` (not in a class), or to the end of the line. */
  private regex(line: string, i: number): number {
    let inClass = false;
    for (; i < line.length; i++) {
      const ch = line.charCodeAt(i);
      if (ch === Ch.Backslash) i++;
      else if (ch === Ch.OpenBracket) inClass = true;
      else if (ch === Ch.CloseBracket) inClass = false;
      else if (ch === Ch.Slash && !inClass) {
        this.operand();
        return i + 1;
      }
    }
    this.operand();
    return i;
  }

  private blockComment(line: string, i: number): number {
    for (; i < line.length; i++) {
      const ch = line.charCodeAt(i);
      if (ch === Ch.Star && line.charCodeAt(i + 1) === Ch.Slash) {
        if (--this.commentDepth === 0) {
          this.mode = Mode.Code;
          return i + 2;
        }
        i++;
      } else if (this.family === 'rust' && ch === Ch.Slash && line.charCodeAt(i + 1) === Ch.Star) {
        this.commentDepth++;
        i++;
      }
    }
    return i;
  }

  private string(line: string, i: number): number {
    for (; i < line.length; i++) {
      const ch = line.charCodeAt(i);
      if (ch === Ch.Backslash) i++;
      else if (ch === this.quote && (!this.triple || (line.charCodeAt(i + 1) === ch && line.charCodeAt(i + 2) === ch))) {
        this.mode = Mode.Code;
        this.operand();
        return i + (this.triple ? 3 : 1);
      }
    }
    return i;
  }

  private template(line: string, i: number): number {
    for (; i < line.length; i++) {
      const ch = line.charCodeAt(i);
      if (ch === Ch.Backslash) i++;
      else if (ch === Ch.Backtick) {
        this.mode = Mode.Code;
        this.operand();
        return i + 1;
      } else if (ch === Ch.Dollar && line.charCodeAt(i + 1) === Ch.OpenBrace) {
        this.substitutions.push(this.depth);
        this.depth++;
        this.mode = Mode.Code;
        this.regexAllowed = true;
        return i + 2;
      }
    }
    return i;
  }

  /** One token of Python from `i`. */
  private python(line: string, i: number): number {
    const ch = line.charCodeAt(i);
    if (ch === Ch.Space || ch === Ch.Tab) return i + 1;
    if (ch === Ch.Hash) return line.length;
    if (ch === Ch.Backslash && i === line.length - 1) {
      this.continued = true;
      return i + 1;
    }
    if (isIdentifierChar(ch)) {
      let end = i + 1;
      while (end < line.length && isIdentifierChar(line.charCodeAt(end))) end++;
      this.operand(line.slice(i, end));
      return end; // a string prefix (r, b, f, rb…) is a word, and its quote comes next
    }
    switch (ch) {
      case Ch.DoubleQuote:
      case Ch.Quote:
        this.mode = Mode.String;
        this.quote = ch;
        this.triple = line.charCodeAt(i + 1) === ch && line.charCodeAt(i + 2) === ch;
        return i + (this.triple ? 3 : 1);
      case Ch.OpenParen:
      case Ch.OpenBracket:
      case Ch.OpenBrace:
        this.open(ch);
        return i + 1;
      case Ch.CloseParen:
      case Ch.CloseBracket:
      case Ch.CloseBrace:
        this.close(ch);
        return i + 1;
      default:
        this.punctuation(ch);
        return i + 1;
    }
  }
}

/**
 * For each line of `lines` (and, last, the end of the text), whether it starts a new top-level
 * item. The first line always does.
 */
export function topLevelStarts(family: Family, lines: readonly string[]): Uint8Array {
  const starts = new Uint8Array(lines.length + 1);
  const scanner = new TopLevelScanner(family);
  for (let i = 0; i < lines.length; i++) {
    if (scanner.startsAnew(lines[i]!)) starts[i] = 1;
    scanner.consume(lines[i]!);
  }
  starts[0] = 1;
  starts[lines.length] = 1;
  return starts;
}
