import path from 'node:path';

const REPO_ROOT = path.resolve(__dirname, '../../..');

/** The checked-in subset of X's OpenAPI spec. */
export const SUBSET_PATH = path.join(__dirname, 'x-openapi-subset.json');

/** X's full spec, beside the checkout; only `npm run spec:extract` and the subset's freshness check read it. */
export const FULL_SPEC_PATH = path.resolve(REPO_ROOT, '../shared/x-api/openapi.json');

/** How the subset names where it came from: relative to the repository, with forward slashes. */
export function specSourceLabel(file: string): string {
    return path.relative(REPO_ROOT, file).split(path.sep).join('/');
}
