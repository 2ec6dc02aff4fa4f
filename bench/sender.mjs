// Sends signed Slack requests and times their acknowledgement on a thread of
// its own: the stand-ins' work on the main thread must not be counted as the
// bot's (or the bare app's) delay.
import { parentPort } from 'node:worker_threads';

parentPort.on('message', async ({ id, url, requests }) => {
  try {
    const durations = await Promise.all(
      requests.map(async ({ body, headers }) => {
        const started = performance.now();
        const response = await fetch(url, { method: 'POST', headers, body });
        await response.text();
        const ms = performance.now() - started;
        if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
        return ms;
      }),
    );
    parentPort.postMessage({ id, durations });
  } catch (error) {
    parentPort.postMessage({ id, error: String(error) });
  }
});
