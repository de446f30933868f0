/**
 * Benchmark reference ("floor"): the unavoidable work of an exactly-once webhook → Omnichannel bridge and
 * nothing more. Per event: check the signature (one HMAC over the compact body), one persistence read (what
 * was seen in this conversation), one livechat message post, one persistence write (the seen marker).
 * Visitors and rooms (one per customer, like the app's conversations) and the signing secret are set up
 * once (POST setup) and kept in memory.
 */
import {
    IConfigurationExtend,
    IEnvironmentRead,
    IHttp,
    IModify,
    IPersistence,
    IRead,
} from '@rocket.chat/apps-engine/definition/accessors';
import {
    ApiEndpoint,
    ApiSecurity,
    ApiVisibility,
    IApiEndpointInfo,
    IApiRequest,
    IApiResponse,
} from '@rocket.chat/apps-engine/definition/api';
import { App } from '@rocket.chat/apps-engine/definition/App';
import type { ILivechatRoom, IVisitor } from '@rocket.chat/apps-engine/definition/livechat';
import type { OmnichannelSourceType } from '@rocket.chat/apps-engine/definition/livechat/ILivechatRoom';
import { RocketChatAssociationModel, RocketChatAssociationRecord } from '@rocket.chat/apps-engine/definition/metadata';
import { RoomType } from '@rocket.chat/apps-engine/definition/rooms';
import type { IUser } from '@rocket.chat/apps-engine/definition/users';
import { createHmac, timingSafeEqual } from 'crypto';

interface Conversation {
    room: ILivechatRoom;
    visitor: IVisitor;
}

interface FloorState {
    secret: string;
    conversations: Map<string, Conversation>;
}

let state: FloorState | undefined;

const conversationKey = (senderId: string) =>
    new RocketChatAssociationRecord(RocketChatAssociationModel.MISC, `floor-conv:${senderId}`);

interface AaaBody {
    direct_message_events?: {
        id?: string;
        message_create?: { sender_id?: string; message_data?: { text?: string } };
    }[];
}

class SetupEndpoint extends ApiEndpoint {
    public override path = 'setup';

    public async post(
        request: IApiRequest,
        _e: IApiEndpointInfo,
        _read: IRead,
        modify: IModify,
    ): Promise<IApiResponse> {
        const { secret, department, customers } = (request.content ?? {}) as {
            secret?: string;
            department?: string;
            customers?: string[];
        };
        const creator = modify.getCreator().getLivechatCreator();
        const conversations = new Map<string, Conversation>();
        for (const customer of customers ?? []) {
            const visitor = await creator.createAndReturnVisitor({
                token: `floor-${customer}`,
                username: `floor-${customer}`,
                name: `Floor ${customer}`,
                ...(department ? { department } : {}),
            } as IVisitor);
            if (!visitor) return { status: 500, content: { error: 'no visitor' } };
            const room = await creator.createRoom(visitor, {} as IUser, {
                source: { type: 'app' as OmnichannelSourceType, label: 'Floor' },
            });
            conversations.set(customer, { visitor, room: { id: room.id, type: RoomType.LIVE_CHAT } as ILivechatRoom });
        }
        state = { secret: String(secret ?? ''), conversations };
        return { status: 200, content: { rooms: conversations.size } };
    }
}

class EventEndpoint extends ApiEndpoint {
    public override path = 'event';

    public async post(
        request: IApiRequest,
        _e: IApiEndpointInfo,
        read: IRead,
        modify: IModify,
        _http: IHttp,
        persistence: IPersistence,
    ): Promise<IApiResponse> {
        if (!state) return { status: 503, content: { error: 'not set up' } };
        const signature = Buffer.from(String(request.headers?.['x-twitter-webhooks-signature'] ?? ''));
        const expected = Buffer.from(
            `sha256=${createHmac('sha256', state.secret).update(JSON.stringify(request.content)).digest('base64')}`,
        );
        if (signature.length !== expected.length || !timingSafeEqual(signature, expected))
            return { status: 401, content: { error: 'invalid_signature' } };
        const event = (request.content as AaaBody).direct_message_events?.[0];
        const eventId = String(event?.id ?? '');
        const senderId = String(event?.message_create?.sender_id ?? '');
        const conversation = state.conversations.get(senderId);
        if (!conversation) return { status: 200, content: { ignored: 'unknown sender' } };
        const key = conversationKey(senderId);
        // 1: what this conversation has seen
        const seen = (await read.getPersistenceReader().readByAssociation(key)) as { eventId?: string }[];
        if (seen.some((s) => s.eventId === eventId)) return { status: 200, content: { duplicate: 1 } };
        // 2: the message, as the visitor
        const builder = modify
            .getCreator()
            .startLivechatMessage()
            .setRoom(conversation.room)
            .setVisitor(conversation.visitor)
            .setText(String(event?.message_create?.message_data?.text ?? ''));
        await modify.getCreator().finish(builder);
        // 3: the seen marker
        await persistence.createWithAssociation({ eventId, at: Date.now() }, key);
        return { status: 200, content: { accepted: 1 } };
    }
}

export class FloorApp extends App {
    protected override async extendConfiguration(
        configuration: IConfigurationExtend,
        _environment: IEnvironmentRead,
    ): Promise<void> {
        await configuration.api.provideApi({
            visibility: ApiVisibility.PUBLIC,
            security: ApiSecurity.UNSECURE,
            endpoints: [new SetupEndpoint(this), new EventEndpoint(this)],
        });
    }
}
