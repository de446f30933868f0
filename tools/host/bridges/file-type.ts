/**
 * Rocket.Chat's determineFileType (apps/meteor/ee/lib/misc/determineFileType.ts), which the apps upload bridge
 * applies to every file an app uploads: the type of the name's extension (`mime.lookup(name)`, mime-db) when it
 * has a known one, else what the leading bytes say (`file-type`'s `fromBuffer`), else application/octet-stream.
 * The name wins: a JPEG named `x.bin` is stored as application/octet-stream.
 */
const BY_EXTENSION: Record<string, string> = {
    png: 'image/png',
    jpg: 'image/jpeg',
    jpeg: 'image/jpeg',
    gif: 'image/gif',
    webp: 'image/webp',
    svg: 'image/svg+xml',
    mp4: 'video/mp4',
    m4v: 'video/x-m4v',
    mov: 'video/quicktime',
    webm: 'video/webm',
    mp3: 'audio/mpeg',
    pdf: 'application/pdf',
    txt: 'text/plain',
    html: 'text/html',
    zip: 'application/zip',
    bin: 'application/octet-stream',
    exe: 'application/octet-stream',
};

const SIGNATURES: { type: string; test: (b: Buffer) => boolean }[] = [
    {
        type: 'image/png',
        test: (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
    },
    { type: 'image/jpeg', test: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
    {
        type: 'image/gif',
        test: (b) =>
            b.subarray(0, 6).toString('latin1') === 'GIF87a' || b.subarray(0, 6).toString('latin1') === 'GIF89a',
    },
    {
        type: 'image/webp',
        test: (b) => b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP',
    },
    { type: 'video/quicktime', test: (b) => b.subarray(4, 12).toString('latin1') === 'ftypqt  ' },
    { type: 'video/mp4', test: (b) => b.subarray(4, 8).toString('latin1') === 'ftyp' },
    { type: 'application/pdf', test: (b) => b.subarray(0, 5).toString('latin1') === '%PDF-' },
];

export function determineFileType(buffer: Buffer, name: string): string {
    const extension = /\.([^./\\]+)$/.exec(name)?.[1]?.toLowerCase();
    if (extension && BY_EXTENSION[extension]) return BY_EXTENSION[extension];
    return SIGNATURES.find((s) => buffer.length >= 12 && s.test(buffer))?.type ?? 'application/octet-stream';
}
