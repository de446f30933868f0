/**
 * Rocket.Chat's determineFileType: the type comes from the file's leading bytes when recognizable,
 * else from its name's extension, else application/octet-stream.
 */
const SIGNATURES: { type: string; test: (b: Buffer) => boolean }[] = [
    { type: 'image/png', test: (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) },
    { type: 'image/jpeg', test: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
    { type: 'image/gif', test: (b) => b.subarray(0, 6).toString('latin1') === 'GIF87a' || b.subarray(0, 6).toString('latin1') === 'GIF89a' },
    { type: 'image/webp', test: (b) => b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP' },
    { type: 'video/mp4', test: (b) => b.subarray(4, 8).toString('latin1') === 'ftyp' },
    { type: 'application/pdf', test: (b) => b.subarray(0, 5).toString('latin1') === '%PDF-' },
];

const BY_EXTENSION: Record<string, string> = {
    png: 'image/png',
    jpg: 'image/jpeg',
    jpeg: 'image/jpeg',
    gif: 'image/gif',
    webp: 'image/webp',
    mp4: 'video/mp4',
    mov: 'video/quicktime',
    pdf: 'application/pdf',
    txt: 'text/plain',
    zip: 'application/zip',
};

export function determineFileType(buffer: Buffer, name: string): string {
    const sniffed = SIGNATURES.find((s) => buffer.length >= 12 && s.test(buffer));
    if (sniffed) return sniffed.type;
    const extension = name.includes('.') ? name.split('.').pop()!.toLowerCase() : '';
    return BY_EXTENSION[extension] ?? 'application/octet-stream';
}
