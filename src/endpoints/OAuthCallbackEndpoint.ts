import { IHttp, IModify, IPersistence, IRead } from '@rocket.chat/apps-engine/definition/accessors';
import { ApiEndpoint, IApiEndpointInfo, IApiRequest, IApiResponse } from '@rocket.chat/apps-engine/definition/api';
import { completeOAuth2 } from '../admin/link';
import { askToConfirmLink } from '../admin/pending-link';
import { OAUTH_CALLBACK_PATH } from '../admin/urls';
import { translator } from '../i18n/translate';
import { languageOf } from '../lib/language';

const escapeHtml = (s: string) =>
    s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function page(title: string, body: string, ok: boolean): string {
    const color = ok ? '#2de0a5' : '#f5455c';
    return `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#1f2329}h1{border-left:6px solid ${color};padding-left:.6rem;font-size:1.4rem}p{white-space:pre-line;line-height:1.5}</style>
</head><body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(body)}</p></body></html>`;
}

/**
 * Where X sends the admin back after the OAuth 2.0 consent: completes PKCE, then asks the admin who started
 * to confirm the account in Rocket.Chat (pending-link.ts). The page says where; it links nothing itself.
 */
export class OAuthCallbackEndpoint extends ApiEndpoint {
    public override path = OAUTH_CALLBACK_PATH;

    public async get(
        request: IApiRequest,
        _endpoint: IApiEndpointInfo,
        read: IRead,
        modify: IModify,
        http: IHttp,
        persistence: IPersistence,
    ): Promise<IApiResponse> {
        const query = (request.query ?? {}) as Record<string, string | undefined>;
        const a = { read, modify, persistence, http, appId: this.app.getID(), now: () => Date.now() };
        const outcome = await completeOAuth2(a, query);
        const admin = outcome.adminId ? await read.getUserReader().getById(outcome.adminId) : undefined;
        const t = translator(await languageOf(read, admin));
        const html = (status: number, title: string, body: string) => ({
            status,
            headers: { 'content-type': 'text/html; charset=utf-8' },
            content: page(title, body, status === 200),
        });
        if (!outcome.ok)
            return html(400, t('oauth_page_title_failure'), t('link_failed', { reason: t(outcome.reasonKey) }));
        const room = await askToConfirmLink(a, outcome, admin, t);
        return html(
            200,
            t('oauth_page_title_confirm'),
            t('oauth_page_confirm', { username: outcome.account.username, room: room.slugifiedName }),
        );
    }
}
