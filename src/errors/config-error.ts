/**
 * A setting the operator got wrong (an environment variable, a flag, `BANKS_FILE`): the message
 * names it and says what it must be. The CLI prints it without a stack trace and exits.
 */
export class ConfigError extends Error {}
