import { createHash } from 'node:crypto';
import { createTwoFilesPatch } from 'diff';

/** git's blob id of some content: what a diff's `index` line names. */
export function blobId(content: string): string {
  return createHash('sha1')
    .update(`blob ${Buffer.byteLength(content)}\0`)
    .update(content)
    .digest('hex');
}

/** A git-style unified diff of one file, made by jsdiff, with the `index` line git would write. */
export function gitStyleDiff(path: string, before: string, after: string, context = 3): string {
  const body = createTwoFilesPatch(`a/${path}`, `b/${path}`, before, after, undefined, undefined, { context }).replace(/^=+\n/, '');
  return `diff --git a/${path} b/${path}\nindex ${blobId(before).slice(0, 7)}..${blobId(after).slice(0, 7)} 100644\n${body}`;
}
