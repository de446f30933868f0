/** A set that forgets its oldest entries beyond `capacity`: memory stays bounded however long the app runs. */
export class BoundedSet<T> {
    private readonly items = new Set<T>();

    constructor(private readonly capacity: number) {}

    public add(item: T): void {
        this.items.delete(item);
        this.items.add(item);
        if (this.items.size > this.capacity) this.items.delete(this.items.values().next().value as T);
    }

    public has(item: T): boolean {
        return this.items.has(item);
    }
}
