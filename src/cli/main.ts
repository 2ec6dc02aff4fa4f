#!/usr/bin/env node
import { config } from 'dotenv';
import { runCli } from './cli.js';

// stdout carries the result (the URL or JSON), so dotenv must stay quiet.
config({ quiet: true });
const code = await runCli(process.argv.slice(2), {
  env: process.env,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
process.exitCode = code;
