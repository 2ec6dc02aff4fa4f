import type { Clock } from '../core/clock.js';
import type { MergeRequestSummary } from '../core/types.js';

/** How long one listing of open MRs answers the picker's keystrokes. */
const OPEN_MR_LIST_TTL_MS = 15_000;

/**
 * The open MRs, listed once and filtered locally for the next several seconds, so that
 * typing in the picker costs no GitLab call per key (searches are rate limited per user,
 * and the bot's one token is one user). Concurrent keystrokes share one request.
 */
export class OpenMergeRequestList {
  private current: { at: number; list: Promise<MergeRequestSummary[]> } | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly load: () => Promise<MergeRequestSummary[]>,
  ) {}

  async search(query: string, limit: number): Promise<MergeRequestSummary[]> {
    return filterMergeRequests(await this.list(), query).slice(0, limit);
  }

  private list(): Promise<MergeRequestSummary[]> {
    const now = this.clock.now();
    if (!this.current || now - this.current.at >= OPEN_MR_LIST_TTL_MS) {
      const list = this.load();
      const entry = { at: now, list };
      this.current = entry;
      // A failed listing is not remembered: the next keystroke tries again.
      list.catch(() => {
        if (this.current === entry) this.current = undefined;
      });
    }
    return this.current.list;
  }
}

/** By number (`42`, `!42`, or its first digits) or by words of the title or branch, in any order. */
function filterMergeRequests(list: MergeRequestSummary[], query: string): MergeRequestSummary[] {
  const text = query.trim().replace(/^!/, '').toLowerCase();
  if (!text) return list;
  const words = text.split(/\s+/);
  const matches = (mr: MergeRequestSummary) => {
    const haystack = `${mr.title} ${mr.sourceBranch}`.toLowerCase();
    return words.every((word) => haystack.includes(word));
  };
  const byNumber = /^[0-9]+$/.test(text)
    ? list.filter((mr) => String(mr.iid).startsWith(text))
    : [];
  // The exact number first, then numbers starting so, then titles.
  byNumber.sort((a, b) => Number(String(b.iid) === text) - Number(String(a.iid) === text));
  const seen = new Set(byNumber.map((mr) => mr.iid));
  return [...byNumber, ...list.filter((mr) => !seen.has(mr.iid) && matches(mr))];
}
