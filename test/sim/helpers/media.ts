import type { TwitterApi } from 'twitter-api-v2';

/** PNG bytes with a 2×3 header (the simulator reads the header, never the pixels). */
export const TINY_PNG = Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAIAAAADCAIAAAA2iEnWAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==',
    'base64',
);

/** A few bytes that sniff as MP4 (an `ftyp` box); the simulator never decodes video. */
export function fakeMp4(size: number): Buffer {
    const bytes = Buffer.alloc(size, 7);
    bytes.writeUInt32BE(24, 0);
    bytes.write('ftypisom', 4, 'latin1');
    return bytes;
}

export interface UploadOptions {
    mediaType: string;
    category: string;
    shared?: boolean;
    chunkSize?: number;
}

/**
 * v2 chunked upload the way the app does it behind IHttp: JSON initialize, JSON base64 appends,
 * finalize. Returns the finalize answer's data.
 */
export async function uploadViaJson(
    client: TwitterApi,
    bytes: Buffer,
    options: UploadOptions,
): Promise<{ id: string; processing_info?: { state: string } }> {
    const init = await client.v2.post<{ data: { id: string } }>('media/upload/initialize', {
        media_type: options.mediaType,
        total_bytes: bytes.length,
        media_category: options.category,
        ...(options.shared ? { shared: true } : {}),
    });
    const id = init.data.id;
    const chunkSize = options.chunkSize ?? 4096;
    for (let index = 0; index * chunkSize < bytes.length; index++) {
        const chunk = bytes.subarray(index * chunkSize, (index + 1) * chunkSize);
        await client.v2.post(`media/upload/${id}/append`, { segment_index: index, media: chunk.toString('base64') });
    }
    const finalized = await client.v2.post<{ data: { id: string; processing_info?: { state: string } } }>(
        `media/upload/${id}/finalize`,
    );
    return finalized.data;
}
