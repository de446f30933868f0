/** Minimal multipart/form-data parser (the media append and one-shot upload bodies). */
export interface MultipartPart {
    name: string;
    fileName?: string;
    contentType?: string;
    data: Buffer;
}

export function boundaryOf(contentType: string): string | undefined {
    const match = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
    return match ? (match[1] ?? match[2]).trim() : undefined;
}

export function parseMultipart(body: Buffer, boundary: string): MultipartPart[] {
    const delimiter = Buffer.from(`--${boundary}`);
    const parts: MultipartPart[] = [];
    let cursor = body.indexOf(delimiter);
    while (cursor !== -1) {
        const afterDelimiter = cursor + delimiter.length;
        if (body.subarray(afterDelimiter, afterDelimiter + 2).toString() === '--') break;
        const headerStart = afterDelimiter + 2; // skip CRLF
        const headerEnd = body.indexOf('\r\n\r\n', headerStart);
        if (headerEnd === -1) break;
        const next = body.indexOf(delimiter, headerEnd + 4);
        if (next === -1) break;
        const headers = body.subarray(headerStart, headerEnd).toString('utf8');
        const data = body.subarray(headerEnd + 4, next - 2); // drop the CRLF before the delimiter
        const disposition = /content-disposition:[^\r\n]*/i.exec(headers)?.[0] ?? '';
        const name = /\bname="([^"]*)"/i.exec(disposition)?.[1];
        if (name !== undefined) {
            parts.push({
                name,
                fileName: /filename="([^"]*)"/i.exec(disposition)?.[1],
                contentType: /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1]?.trim(),
                data,
            });
        }
        cursor = next;
    }
    return parts;
}
