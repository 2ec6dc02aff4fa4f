/** "1 review app", "3 review apps": counts in messages people read. */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

/** "is" or "are" to go with a count. */
export function isAre(count: number): string {
  return count === 1 ? 'is' : 'are';
}
