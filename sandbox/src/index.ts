/** The stand-ins' public surface: what the bot's tests, benchmark and sandbox mode use. */
export * from './aws.js';
export * from './demo.js';
export * from './gitlab.js';
export * from './playground.js';
export * from './run.js';
export * from './slack.js';
