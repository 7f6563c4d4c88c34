// Work over many items a bounded number at a time: enough to overlap what each item waits on (disk,
// fsync, network), few enough to bound open files, sockets and half-built objects. The one pool of src/.

/**
 * `work` over `items`, at most `limit` at a time, results in input order. After a failure no further item
 * starts; the first error is thrown once the items already started have settled, so that nothing still
 * runs when the caller cleans up.
 */
export async function mapConcurrent<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed: { error: unknown } | undefined;
  const lane = async (): Promise<void> => {
    while (failed === undefined && next < items.length) {
      const i = next++;
      try {
        results[i] = await work(items[i] as T);
      } catch (error) {
        failed ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, lane));
  if (failed) throw failed.error;
  return results;
}

/** mapConcurrent for work whose results are not needed. */
export async function forEachConcurrent<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  await mapConcurrent(items, limit, work);
}
