#!/usr/bin/env node
import { config } from 'dotenv';
// First: silences the AWS SDK's own Node version warning before the SDK loads.
import { nodeSupportNotice } from '../node-support.js';
import { runCli } from './cli.js';

// stdout carries the result (the URL or JSON), so dotenv must stay quiet.
config({ quiet: true });
const notice = nodeSupportNotice();
// On stderr, so that stdout stays the result a CI job reads.
if (notice) process.stderr.write(`${notice}\n`);
const code = await runCli(process.argv.slice(2), {
  env: process.env,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
process.exitCode = code;
