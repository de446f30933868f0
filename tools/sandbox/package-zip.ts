/** Where `npm run package` leaves the installable zip, and reading it. */
import * as fs from 'fs';
import * as path from 'path';
import { repoRoot } from '../host/paths';

export function packagedZipPath(): string {
    const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'app.json'), 'utf8'));
    return path.join(repoRoot, 'dist', `${manifest.nameSlug}_${manifest.version}.zip`);
}

export function packagedZip(): Buffer {
    const zipPath = packagedZipPath();
    if (!fs.existsSync(zipPath))
        throw new Error(`${zipPath} is missing: run \`npm run package\` (the e2e global setup and \`npm start\` do)`);
    return fs.readFileSync(zipPath);
}
