/**
 * A time as a terminal's reader reads it, in their own time zone: "14:30 CET",
 * with the day in front when it is not the same day as `now`. (Slack shows
 * times with date tokens instead; CI logs and terminals get this.)
 */
export function readableTime(epochMs: number, now: number, timeZone?: string): string {
  const zone = timeZone ? { timeZone } : {};
  const day = (ms: number) =>
    new Intl.DateTimeFormat('en-GB', {
      weekday: 'short',
      day: 'numeric',
      month: 'short',
      ...zone,
    }).format(ms);
  const time = new Intl.DateTimeFormat('en-GB', {
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
    ...zone,
  }).format(epochMs);
  return day(epochMs) === day(now) ? time : `${day(epochMs)}, ${time}`;
}
