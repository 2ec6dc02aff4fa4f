import { readField } from './gitlab-query.js';
import type { Router } from './gitlab-router.js';
import { type GitLabState, type ProjectRecord, tokenCanRead } from './gitlab-state.js';
import type { GitLabUser } from './gitlab-types.js';
import { type HttpReply, json, type RecordedRequest } from './http.js';

/**
 * Notes on merge requests (REST v4, docs.gitlab.com/api/notes: create, edit), as
 * gitlabhq's lib/api/notes.rb and lib/api/helpers/notes_helpers.rb answer them:
 * - The MR is found first (`find_noteable`): one the token's user cannot read, such as
 *   a Guest's in a private project (Guests see no MRs there, gitlab-foss#1410 and commit
 *   57781294), is 404 "MergeRequest Not Found", as one that does not exist.
 * - Create: `requires :body` (Grape: 400 "body is missing"); then the Note model
 *   (app/models/concerns/notes/active_record.rb) wants a body present and at most
 *   Gitlab::Database::MAX_TEXT_SIZE_LIMIT (1,000,000) characters, answered by
 *   process_note_creation_result as 400 "Note {...}". Whoever can read the MR may
 *   comment on it (create_note). Answered 201 with the note.
 * - Edit: the note is looked up among the MR's (`noteable.notes.find`; ActiveRecord's
 *   not-found is 404 "404 Not found"); `admin_note` is the note's author's: others 403.
 *   `body` is optional but `allow_blank: false` (400 "body is empty"). Answered 200.
 * - Writes without the `api` scope are refused before any of this (gitlab.ts).
 * Only what GitLab accepted is recorded.
 */
export interface GitLabNote {
  id: number;
  type: null;
  body: string;
  attachment: null;
  author: GitLabUser & { id: number };
  created_at: string;
  updated_at: string;
  system: false;
  noteable_id: number;
  noteable_type: 'MergeRequest';
  project_id: number;
  resolvable: false;
  confidential: false;
  internal: false;
  noteable_iid: number;
}

/** Gitlab::Database::MAX_TEXT_SIZE_LIMIT, the Note model's length validation. */
export const NOTE_MAX_LENGTH = 1_000_000;

const badNote = (message: string) =>
  json(400, { message: `400 Bad request - Note {:note=>["${message}"]}` });

function bodyErrors(body: string): HttpReply | undefined {
  if (body.trim() === '') return badNote("can't be blank");
  if ([...body].length > NOTE_MAX_LENGTH)
    return badNote(`is too long (maximum is ${NOTE_MAX_LENGTH} characters)`);
  return undefined;
}

export class NoteStore {
  private readonly byMergeRequest = new Map<string, GitLabNote[]>();
  private nextId = 3000;

  constructor(private readonly stateOf: () => GitLabState) {}

  private get state(): GitLabState {
    return this.stateOf();
  }

  all(projectId: number, iid: number): GitLabNote[] {
    return (this.byMergeRequest.get(`${projectId}!${iid}`) ?? []).map((note) => ({ ...note }));
  }

  create(record: ProjectRecord, iid: number, request: RecordedRequest): HttpReply {
    const mr = this.readable(record, iid);
    if (!mr) return json(404, { message: '404 MergeRequest Not Found' });
    const body = readField(request, 'body');
    if (body === undefined) return json(400, { error: 'body is missing' });
    const refusal = bodyErrors(body);
    if (refusal) return refusal;
    const at = this.state.iso();
    const note: GitLabNote = {
      id: this.nextId++,
      type: null,
      body,
      attachment: null,
      author: { ...this.state.tokenUser },
      created_at: at,
      updated_at: at,
      system: false,
      noteable_id: mr.id,
      noteable_type: 'MergeRequest',
      project_id: record.project.id,
      resolvable: false,
      confidential: false,
      internal: false,
      noteable_iid: iid,
    };
    this.of(record.project.id, iid).push(note);
    return json(201, note);
  }

  edit(record: ProjectRecord, iid: number, noteId: number, request: RecordedRequest): HttpReply {
    if (!this.readable(record, iid)) return json(404, { message: '404 MergeRequest Not Found' });
    const note = this.of(record.project.id, iid).find((n) => n.id === noteId);
    if (!note) return json(404, { message: '404 Not found' });
    if (note.author.id !== this.state.tokenUser.id) return json(403, { message: '403 Forbidden' });
    const body = readField(request, 'body');
    if (body === '') return json(400, { error: 'body is empty' });
    if (body !== undefined) {
      const refusal = bodyErrors(body);
      if (refusal) return refusal;
      note.body = body;
      note.updated_at = this.state.iso();
    }
    return json(200, note);
  }

  /** Someone deleted the note in GitLab's UI. */
  remove(projectId: number, iid: number, noteId: number): void {
    const notes = this.of(projectId, iid);
    const index = notes.findIndex((n) => n.id === noteId);
    if (index >= 0) notes.splice(index, 1);
  }

  private readable(record: ProjectRecord, iid: number) {
    const mr = record.mergeRequests.get(iid);
    return mr && tokenCanRead(this.state, record) ? mr : undefined;
  }

  private of(projectId: number, iid: number): GitLabNote[] {
    const key = `${projectId}!${iid}`;
    let notes = this.byMergeRequest.get(key);
    if (!notes) {
      notes = [];
      this.byMergeRequest.set(key, notes);
    }
    return notes;
  }
}

export function noteRoutes(router: Router, state: GitLabState): void {
  const { notes } = state;
  router.project('POST', '/projects/:id/merge_requests/:iid/notes', (record, params, request) =>
    notes.create(record, Number(params.iid), request),
  );
  router.project(
    'PUT',
    '/projects/:id/merge_requests/:iid/notes/:note_id',
    (record, params, request) =>
      notes.edit(record, Number(params.iid), Number(params.note_id), request),
  );
}
