import { IHttp, IModify, IPersistence, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import { ApiEndpoint, IApiEndpointInfo, IApiRequest, IApiResponse } from '@rocket.chat/apps-engine/definition/api';
import { completeOAuth2 } from '../admin/link';
import { OAUTH_CALLBACK_PATH } from '../admin/urls';
import { describeLink } from '../commands/authorize';
import { I18nKey, translator } from '../i18n/translate';
import { languageOf } from '../lib/language';
import { announceInSetupRoom } from '../admin/setup-room';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function page(title: string, body: string, ok: boolean): string {
    const color = ok ? '#2de0a5' : '#f5455c';
    return `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#1f2329}h1{border-left:6px solid ${color};padding-left:.6rem;font-size:1.4rem}p{white-space:pre-line;line-height:1.5}</style>
</head><body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(body)}</p></body></html>`;
}

/** Where X sends the admin back after the OAuth 2.0 consent: completes PKCE and says how it went. */
export class OAuthCallbackEndpoint extends ApiEndpoint {
    public override path = OAUTH_CALLBACK_PATH;

    public async get(request: IApiRequest, _endpoint: IApiEndpointInfo, read: IRead, modify: IModify, http: IHttp, persistence: IPersistence): Promise<IApiResponse> {
        const query = (request.query ?? {}) as Record<string, string | undefined>;
        const outcome = await completeOAuth2({ read, modify, persistence, http, appId: this.app.getID(), now: () => Date.now() }, query);
        const admin = outcome.adminId ? await read.getUserReader().getById(outcome.adminId) : undefined;
        const t = translator(await languageOf(read, admin));
        const ok = outcome.ok;
        const message = 'account' in outcome && outcome.ok ? describeLink(outcome, t) : t('link_failed', { reason: t(outcome.reasonKey as I18nKey) });
        if (ok) await announceInSetupRoom(read, modify, message);
        const title = ok ? t('oauth_page_title_success') : t('oauth_page_title_failure');
        return { status: ok ? 200 : 400, headers: { 'content-type': 'text/html; charset=utf-8' }, content: page(title, message, ok) };
    }
}
