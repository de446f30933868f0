/**
 * Text between X and Rocket.Chat, both ways.
 *
 * Outbound order: the agent-name template and the agent's message are Rocket.Chat markdown, the
 * agent's name is data. `formatAgentMessage` renders the template and the message to plain text
 * separately, then inserts the name verbatim, so `*{agent}*: {text}` reaches X as `Alice: Hello`
 * and a name such as `_Anna_` or a message containing `{agent}` is never reinterpreted.
 */
import { DEFAULT_AGENT_TEMPLATE } from '../settings/ids';
import type { InboundMessage } from '../x/event-types';
import { renderForX } from './markdown';

export { renderForX } from './markdown';
export { splitForDm } from './split';

export const AGENT_TEMPLATE_MAX_LENGTH = 200;

export type AgentTemplateCheck =
    { ok: true } | { ok: false; reason: 'missing-text' | 'unknown-placeholder' | 'too-long'; detail?: string };

export interface AgentTemplateVars {
    /** Display name of the agent; empty when names are not shown. */
    agent: string;
    text: string;
}

const PLACEHOLDER = /\{(agent|text)\}/g;
const NAMED_BRACES = /\{([A-Za-z_][\w-]*)\}/g;
const HTML_ENTITY = /&(amp|lt|gt);/g;
const UNESCAPED: Record<string, string> = { amp: '&', lt: '<', gt: '>' };

/**
 * What Rocket.Chat shows for an inbound DM: X's HTML escaping undone, t.co links expanded, and the
 * t.co link that only stands for the attached media removed with the space before it. A message
 * that is only media yields ''.
 */
export function inboundText(message: Pick<InboundMessage, 'text' | 'urls' | 'media'>): string {
    const mediaLink = message.media?.tcoUrl;
    const expansions = new Map<string, string>();
    for (const entry of message.urls) {
        if (entry.url !== mediaLink && !expansions.has(entry.url)) {
            expansions.set(entry.url, entry.expandedUrl);
        }
    }
    const links = [...expansions.keys(), ...(mediaLink !== undefined ? [mediaLink] : [])];
    if (links.length === 0) {
        return unescapeHtml(message.text).trim();
    }
    // Longest first, and never a prefix of a longer link, so one t.co link cannot eat another.
    const alternatives = links
        .sort((a, b) => b.length - a.length)
        .map(escapeRegExp)
        .join('|');
    // No leading `\s*` in the pattern: retried from every space of a long run it would be quadratic.
    const pattern = new RegExp(`(?:${alternatives})(?![A-Za-z0-9])`, 'g');
    let out = '';
    let copiedUpTo = 0;
    for (const match of message.text.matchAll(pattern)) {
        const index = match.index ?? 0;
        let spaceFrom = index;
        while (spaceFrom > copiedUpTo && /\s/.test(message.text[spaceFrom - 1])) spaceFrom--;
        out += unescapeHtml(message.text.slice(copiedUpTo, spaceFrom));
        // Expanded URLs come from JSON fields, not the escaped text: they are inserted as they are.
        out +=
            match[0] === mediaLink ? '' : message.text.slice(spaceFrom, index) + (expansions.get(match[0]) ?? match[0]);
        copiedUpTo = index + match[0].length;
    }
    return (out + unescapeHtml(message.text.slice(copiedUpTo))).trim();
}

/** Whether an admin's agent-name template can be used. */
export function validateAgentTemplate(template: string): AgentTemplateCheck {
    if (!template.includes('{text}')) {
        return { ok: false, reason: 'missing-text' };
    }
    for (const match of template.matchAll(NAMED_BRACES)) {
        if (match[1] !== 'agent' && match[1] !== 'text') {
            return { ok: false, reason: 'unknown-placeholder', detail: match[0] };
        }
    }
    if (template.length > AGENT_TEMPLATE_MAX_LENGTH) {
        return { ok: false, reason: 'too-long', detail: `${template.length} > ${AGENT_TEMPLATE_MAX_LENGTH}` };
    }
    return { ok: true };
}

/**
 * The plain text X receives for an agent message: template and message rendered, name verbatim. With no
 * agent name, every stretch of the template around `{text}` that mentions `{agent}` is dropped, so
 * `*{agent}*: {text}` gives just the text. An unusable template falls back to the default.
 */
export function formatAgentMessage(template: string, vars: AgentTemplateVars): string {
    const agent = vars.agent.trim();
    return fillPlaceholders(renderForX(shapeTemplate(template, agent)), agent, renderForX(vars.text)).trim();
}

/** The usable template, without its agent stretches when there is no agent name. */
function shapeTemplate(template: string, agent: string): string {
    const usable = validateAgentTemplate(template).ok ? template : DEFAULT_AGENT_TEMPLATE;
    if (agent !== '') {
        return usable;
    }
    return usable
        .split('{text}')
        .map((stretch) => (stretch.includes('{agent}') ? '' : stretch))
        .join('{text}');
}

/** One pass, so placeholder-like text inside the name or the message stays as it is. */
function fillPlaceholders(template: string, agent: string, text: string): string {
    return template.replace(PLACEHOLDER, (_match, name: string) => (name === 'agent' ? agent : text));
}

function unescapeHtml(text: string): string {
    // One pass: `&amp;lt;` becomes `&lt;`, not `<`.
    return text.replace(HTML_ENTITY, (_match, name: string) => UNESCAPED[name]);
}

function escapeRegExp(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
