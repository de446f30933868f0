// Test host only (tools/host/app-clock.ts): the app's Date follows the host's clock when the host's scheduler
// runs on a manual clock. The host writes { manualAt, realAt } to the file named by --test-clock= whenever its
// clock moves; from there the time runs on in real time, and it is never earlier than the machine's, nor than
// a time it showed before (a write that moves the clock less than the real time since the last one).
const flag = Deno.args.find((arg) => arg.startsWith('--test-clock='));

if (flag) {
    const file = flag.slice('--test-clock='.length);
    const RealDate = Date;
    const realNow = () => RealDate.now();
    let shown = 0;
    const now = (): number => {
        const real = realNow();
        try {
            const { manualAt, realAt } = JSON.parse(Deno.readTextFileSync(file));
            shown = Math.max(shown, real, manualAt + (real - realAt));
        } catch {
            shown = Math.max(shown, real);
        }
        return shown;
    };
    class HostDate extends RealDate {
        // deno-lint-ignore no-explicit-any
        constructor(...args: any[]) {
            if (args.length === 0) super(now());
            // deno-lint-ignore no-explicit-any
            else super(...(args as [any]));
        }

        static override now(): number {
            return now();
        }
    }
    globalThis.Date = HostDate as DateConstructor;
}
