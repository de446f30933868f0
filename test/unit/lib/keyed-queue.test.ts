import { KeyedQueue } from '../../../src/lib/keyed-queue';

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('keyed queue', () => {
    it('runs work for one key one at a time, in the order it was started', async () => {
        const queue = new KeyedQueue();
        const log: string[] = [];
        const slow = queue.run('A', async () => {
            await new Promise((resolve) => setTimeout(resolve, 20));
            log.push('A1');
        });
        const fast = queue.run('A', async () => {
            log.push('A2');
        });
        const other = queue.run('B', async () => {
            log.push('B1');
        });
        await Promise.all([slow, fast, other]);
        expect(log).toEqual(['B1', 'A1', 'A2']);
    });

    it('keeps going after a failure, and hands the failure to its caller', async () => {
        const queue = new KeyedQueue();
        const failing = queue.run('A', async () => {
            throw new Error('boom');
        });
        const next = queue.run('A', async () => 'ok');
        await expect(failing).rejects.toThrow('boom');
        await expect(next).resolves.toBe('ok');
        await tick();
        expect(queue.busy('A')).toBe(false);
    });
});
