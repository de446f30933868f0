/** Builds the installable zip once per run, exactly as a release is built (`npm run package`). */
import { execSync } from 'child_process';
import * as path from 'path';

export default async function globalSetup(): Promise<void> {
    if (process.env.E2E_SKIP_PACKAGE === '1') return;
    execSync('npm run --silent package', {
        cwd: path.resolve(__dirname, '..', '..'),
        stdio: ['ignore', 'ignore', 'inherit'],
    });
}
