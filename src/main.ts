import { config as loadDotenv } from 'dotenv';
import { type RunningBot, startBot } from './bot.js';
import { ConfigError } from './config/config.js';

// The bot's entry point: the only place that reads process.env.
loadDotenv({ quiet: true });
let bot: RunningBot;
try {
  bot = await startBot({ env: process.env });
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(
      `${error.message}\n\nSet these in the environment or in .env (see .env.example).\n`,
    );
    process.exit(2);
  }
  throw error;
}
const shutdown = () => {
  // Review apps keep running: their deadlines live in ECS tags and ECS enforces the hard cap.
  void bot.stop().then(() => process.exit(0));
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
