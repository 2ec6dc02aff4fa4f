import { describe, expect, it } from 'vitest';
import { ProjectCatalogue } from '../../src/core/catalogue.js';

const GITLAB = 'https://gitlab.example.com';
const shop = { path: 'acme/shop', channels: ['C0SHOP', 'C0REVIEWS'] };
const api = { path: 'acme/api', channels: ['C0API', 'C0REVIEWS'] };
const otherShop = { path: 'other/shop', channels: [] };

describe('choosing the project of a launch', () => {
  const catalogue = new ProjectCatalogue([shop, api], GITLAB);

  it("takes a bare number in a channel with one project as that project's", () => {
    expect(catalogue.resolve('42', 'C0SHOP')).toEqual({ kind: 'project', project: shop, mr: 42 });
    expect(catalogue.resolve('!7', 'C0API')).toEqual({ kind: 'project', project: api, mr: 7 });
  });

  it('asks which project a bare number means where several are at home', () => {
    expect(catalogue.resolve('42', 'C0REVIEWS')).toEqual({
      kind: 'choose',
      projects: [shop, api],
      mr: 42,
    });
    expect(catalogue.resolve('42', 'C0ELSEWHERE')).toEqual({
      kind: 'choose',
      projects: [shop, api],
      mr: 42,
    });
  });

  it('takes the project by its short name or its path, in any channel', () => {
    expect(catalogue.resolve('shop!42', 'C0API')).toEqual({
      kind: 'project',
      project: shop,
      mr: 42,
    });
    expect(catalogue.resolve('acme/api!3', 'C0SHOP')).toEqual({
      kind: 'project',
      project: api,
      mr: 3,
    });
    expect(catalogue.resolve('ACME/Shop!3')).toEqual({ kind: 'project', project: shop, mr: 3 });
  });

  it("takes the project from an MR's URL, also where GitLab is served under a path", () => {
    expect(catalogue.resolve(`${GITLAB}/acme/api/-/merge_requests/9`, 'C0SHOP')).toEqual({
      kind: 'project',
      project: api,
      mr: 9,
    });
    const sub = new ProjectCatalogue([shop], 'https://example.com/gitlab');
    expect(sub.resolve('https://example.com/gitlab/acme/shop/-/merge_requests/5/diffs')).toEqual({
      kind: 'project',
      project: shop,
      mr: 5,
    });
  });

  it('refuses a project it does not serve, naming those it does', () => {
    expect(() => catalogue.resolve('web!4')).toThrowError(
      '"web" is not a project this bot serves. It serves acme/shop, acme/api: say, for example, shop!42.',
    );
    expect(() => catalogue.resolve(`${GITLAB}/acme/web/-/merge_requests/4`)).toThrowError(
      /belongs to acme\/web, which this bot does not serve\. It serves acme\/shop, acme\/api/,
    );
  });

  it("refuses another GitLab's URL, and what is no merge request", () => {
    expect(() => catalogue.resolve('https://gitlab.com/acme/shop/-/merge_requests/4')).toThrowError(
      /not a merge request URL of gitlab\.example\.com/,
    );
    expect(() => catalogue.resolve('shop!x', 'C0SHOP')).toThrowError(/is not a merge request/);
    expect(() => catalogue.resolve('', 'C0SHOP')).toThrowError(/No merge request given/);
  });

  it('asks for the path where two projects share a short name', () => {
    const twins = new ProjectCatalogue([shop, otherShop], GITLAB);
    expect(() => twins.resolve('shop!1')).toThrowError(
      'Several projects are called shop: say acme/shop!42 or other/shop!42.',
    );
    expect(twins.resolve('other/shop!1')).toMatchObject({ project: otherShop });
    expect(twins.nameOf(shop)).toBe('acme/shop');
    expect(catalogue.nameOf(shop)).toBe('shop');
  });

  it('orders the channel’s own projects first, for pickers and help', () => {
    expect(catalogue.ordered('C0API').map((project) => project.path)).toEqual([
      'acme/api',
      'acme/shop',
    ]);
  });
});

describe('the one-project setup', () => {
  it('is a catalogue of one, where a bare number means that project in every channel', () => {
    const one = new ProjectCatalogue([{ path: 'acme/shop', channels: [] }], GITLAB);
    expect(one.resolve('42', 'C0ANY')).toMatchObject({ kind: 'project', mr: 42 });
    expect(() => one.resolve(`${GITLAB}/acme/api/-/merge_requests/1`)).toThrowError(
      /does not serve/,
    );
  });
});
