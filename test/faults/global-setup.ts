/**
 * Packages the app like the e2e setup does, unless dist/ already holds a zip newer than every source
 * (the e2e project's setup, which runs first in `npm test`, just made it) or E2E_SKIP_PACKAGE=1.
 */
import { execSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { packagedZipPath } from '../e2e/helpers/app-host';
import { SUMMARY_FILE, VERDICTS_FILE } from './helpers/summary';

const root = path.resolve(__dirname, '..', '..');

function newestSource(): number {
    let newest = 0;
    const visit = (p: string) => {
        const stat = fs.statSync(p);
        if (stat.isDirectory()) for (const name of fs.readdirSync(p)) visit(path.join(p, name));
        else newest = Math.max(newest, stat.mtimeMs);
    };
    for (const p of ['src', 'i18n', 'assets', 'TwitterApp.ts', 'app.json', 'package.json'])
        if (fs.existsSync(path.join(root, p))) visit(path.join(root, p));
    return newest;
}

export default async function globalSetup(): Promise<void> {
    fs.rmSync(SUMMARY_FILE, { force: true });
    fs.rmSync(VERDICTS_FILE, { force: true });
    if (process.env.E2E_SKIP_PACKAGE === '1') return;
    const zip = packagedZipPath();
    if (fs.existsSync(zip) && fs.statSync(zip).mtimeMs >= newestSource()) return;
    execSync('npm run --silent package', { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
}
