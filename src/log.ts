import { LOG_LEVELS, type LogLevel } from './config.js';

const severity = (level: LogLevel): number => LOG_LEVELS.indexOf(level);

/** Forwards one log entry to an MCP client as a `notifications/message`. */
export type ClientLogSink = (level: LogLevel, data: string) => void;

/**
 * Logs go to stderr (stdout belongs to the MCP transport) at the configured level, and to
 * the MCP client only once it asked for them with `logging/setLevel`, at the level it chose.
 */
export class Logger {
  private clientLevel: LogLevel | undefined;

  constructor(
    private readonly stderrLevel: LogLevel,
    private readonly clientSink?: ClientLogSink,
  ) {}

  /** The same stderr logger with its own client: one per MCP session. */
  forClient(sink: ClientLogSink): Logger {
    return new Logger(this.stderrLevel, sink);
  }

  setClientLevel(level: LogLevel): void {
    this.clientLevel = level;
  }

  log(level: LogLevel, message: string): void {
    if (severity(level) >= severity(this.stderrLevel)) process.stderr.write(`[baton] ${level}: ${message}\n`);
    if (this.clientSink && this.clientLevel && severity(level) >= severity(this.clientLevel)) {
      this.clientSink(level, message);
    }
  }

  debug(message: string): void {
    this.log('debug', message);
  }
  info(message: string): void {
    this.log('info', message);
  }
  warning(message: string): void {
    this.log('warning', message);
  }
  error(message: string): void {
    this.log('error', message);
  }
}
