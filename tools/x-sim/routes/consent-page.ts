import type { XUser } from '../state/types';

/** A tiny stand-in for X's "Authorize app" page, used in interactive (sandbox) mode. */

function escapeHtml(value: string): string {
    return value.replace(
        /[&<>"']/g,
        (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
    );
}

export function consentPage(
    appName: string,
    formAction: string,
    hiddenFields: Record<string, string>,
    users: XUser[],
    selectedUserId: string,
    scopes: string[],
): string {
    const hidden = Object.entries(hiddenFields)
        .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
        .join('\n      ');
    const options = users
        .map(
            (u) =>
                `<option value="${escapeHtml(u.id)}"${u.id === selectedUserId ? ' selected' : ''}>@${escapeHtml(u.username)} (${escapeHtml(u.name)})</option>`,
        )
        .join('');
    const scopeList = scopes.map((s) => `<li>${escapeHtml(s)}</li>`).join('');
    return `<!doctype html>
<html><head><meta charset="utf-8"><title>Authorize ${escapeHtml(appName)} — X simulator</title></head>
<body style="font-family:sans-serif;max-width:32rem;margin:2rem auto">
  <h1>${escapeHtml(appName)} wants to access your X account</h1>
  <form method="post" action="${escapeHtml(formAction)}">
      ${hidden}
      <label>Signed in as <select name="user_id">${options}</select></label>
      <p>It will be able to:</p><ul>${scopeList}</ul>
      <button type="submit" name="decision" value="approve">Authorize app</button>
      <button type="submit" name="decision" value="deny">Cancel</button>
  </form>
</body></html>`;
}

export function oauthErrorPage(message: string): string {
    return `<!doctype html><html><head><meta charset="utf-8"><title>X simulator</title></head>
<body style="font-family:sans-serif"><h1>Something went wrong</h1><p>You weren't able to give access to the App. ${escapeHtml(message)}</p></body></html>`;
}
